// Copies the offline basemap into static/vendor/: US states (all in one file, each alone, and
// an index of their bounds) and each state's counties (one small file per state), cut from
// npm `us-atlas` with their arcs only, plus topojson-client to decode them in the browser.
//   node scripts/vendor-us-atlas.mjs   (run by `npm run vendor`)
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

const atlas = "node_modules/us-atlas";
const out = "static/vendor/us-atlas";

// A topology holding only `geometries` (in an object named `name`) and the arcs they use.
// Quantized arcs are delta-encoded one by one, so an arc can move to a new index unchanged.
function subset(topology, name, geometries, keepProperties) {
  const newIndex = new Map();
  const arcs = [];
  const remap = (index) => {
    const original = index < 0 ? ~index : index;
    if (!newIndex.has(original)) {
      newIndex.set(original, arcs.length);
      arcs.push(topology.arcs[original]);
    }
    const mapped = newIndex.get(original);
    return index < 0 ? ~mapped : mapped;
  };
  const walk = (value) => (Array.isArray(value) ? value.map(walk) : remap(value));
  const kept = geometries.map((geometry) => {
    const copy = { type: geometry.type, id: geometry.id, arcs: walk(geometry.arcs) };
    if (keepProperties && geometry.properties) copy.properties = geometry.properties;
    return copy;
  });
  return {
    type: "Topology",
    transform: topology.transform,
    objects: { [name]: { type: "GeometryCollection", geometries: kept } },
    arcs,
  };
}

// [west, south, east, north] of a geometry, from its quantized arcs.
function bounds(topology, geometry) {
  const [kx, ky] = topology.transform.scale;
  const [dx, dy] = topology.transform.translate;
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (value) => {
    if (Array.isArray(value)) return value.forEach(visit);
    let x = 0;
    let y = 0;
    for (const [deltaX, deltaY] of topology.arcs[value < 0 ? ~value : value]) {
      x += deltaX;
      y += deltaY;
      const lng = x * kx + dx;
      const lat = y * ky + dy;
      box[0] = Math.min(box[0], lng);
      box[1] = Math.min(box[1], lat);
      box[2] = Math.max(box[2], lng);
      box[3] = Math.max(box[3], lat);
    }
  };
  visit(geometry.arcs);
  return box.map((value) => Math.round(value * 100) / 100);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(`${out}/counties`, { recursive: true });
mkdirSync(`${out}/states`, { recursive: true });

// Every state in one file (for a map of many states), and each state alone with an index of
// their bounds, so a map of one region loads only the few states it shows.
const states = JSON.parse(readFileSync(`${atlas}/states-10m.json`, "utf8"));
writeFileSync(
  `${out}/states-10m.json`,
  JSON.stringify(subset(states, "states", states.objects.states.geometries, true)),
);
const index = {};
for (const state of states.objects.states.geometries) {
  index[state.id] = bounds(states, state);
  writeFileSync(`${out}/states/${state.id}.json`, JSON.stringify(subset(states, "states", [state], true)));
}
writeFileSync(`${out}/states-index.json`, JSON.stringify(index));

const counties = JSON.parse(readFileSync(`${atlas}/counties-10m.json`, "utf8"));
const byState = new Map();
for (const county of counties.objects.counties.geometries) {
  const fips = county.id.slice(0, 2);
  if (!byState.has(fips)) byState.set(fips, []);
  byState.get(fips).push(county);
}
for (const [fips, list] of byState) {
  writeFileSync(`${out}/counties/${fips}.json`, JSON.stringify(subset(counties, "counties", list, false)));
}

copyFileSync(`${atlas}/LICENSE`, `${out}/LICENSE`);
const client = "static/vendor/topojson-client";
rmSync(client, { recursive: true, force: true });
mkdirSync(client, { recursive: true });
copyFileSync("node_modules/topojson-client/dist/topojson-client.min.js", `${client}/topojson-client.min.js`);
copyFileSync("node_modules/topojson-client/LICENSE", `${client}/LICENSE`);
console.log(`us-atlas: states and ${byState.size} county files in ${out}; topojson-client in ${client}`);
