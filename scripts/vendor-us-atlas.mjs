// Copies the offline basemap into static/vendor/: US states (one file) and each state's
// counties (one small file per state, fetched only for the states a map shows), cut from
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

rmSync(out, { recursive: true, force: true });
mkdirSync(`${out}/counties`, { recursive: true });

const states = JSON.parse(readFileSync(`${atlas}/states-10m.json`, "utf8"));
writeFileSync(
  `${out}/states-10m.json`,
  JSON.stringify(subset(states, "states", states.objects.states.geometries, true)),
);

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
