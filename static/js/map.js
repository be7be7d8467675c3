/* The map of a results page or a listing: an offline basemap, numbered pins, the searched place.
 *
 * Reads the page's JSON data block (#results-data) and the map box's data-* attributes.
 * The basemap is drawn from this site's own copy of the US Census Bureau's state and county
 * boundaries (npm us-atlas, decoded with topojson-client): the states at once, the counties
 * of the states in view once the map shows a region. Street tiles load only from a
 * configured data-tile-url; without one no request leaves the site. The list stays the
 * primary view: pins are left out of the tab order (the same links are in the list).
 */
(function () {
  "use strict";

  var figure = document.getElementById("results-map-figure");
  var box = document.getElementById("results-map");
  var data = document.getElementById("results-data");
  if (!figure || !box || !data || typeof L === "undefined") return;
  var results = JSON.parse(data.textContent);
  if (!results.clinics.length) return;

  figure.hidden = false;
  var map = L.map(box, { scrollWheelZoom: false, keyboard: false, zoomSnap: 0.5 });
  map.attributionControl.setPrefix(false);
  map.createPane("basemap").style.zIndex = 150;

  var tileUrl = box.getAttribute("data-tile-url");
  if (tileUrl) {
    L.tileLayer(tileUrl, {
      maxZoom: 18,
      attribution: box.getAttribute("data-tile-attribution") || "",
    }).on("tileerror", function () {
      // Offline, or the tile server is down: the basemap alone, as without tiles.
      box.classList.add("no-tiles");
    }).addTo(map);
  } else {
    box.classList.add("no-tiles");
  }

  function getJSON(url, done) {
    if (!window.fetch || typeof topojson === "undefined") return;
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then(done).catch(function () { /* the pins and the list still work */ });
  }

  // The basemap: the states in view, each from its own small file (all states in one file
  // when many are in view), and their counties once the map shows a region.
  var atlas = box.getAttribute("data-atlas-url");
  var MANY_STATES = 8;
  var COUNTIES_FROM_ZOOM = 6;
  var index = null;
  var everyState = false;
  var requested = {};
  map.createPane("basemap-counties").style.zIndex = 160;

  function draw(topology, name, pane, style) {
    L.geoJSON(topojson.feature(topology, topology.objects[name]), {
      pane: pane, interactive: false, style: style,
    }).addTo(map);
  }

  function drawStates(topology) {
    draw(topology, "states", "basemap", {
      color: "#6b7785", weight: 1.4, fillColor: "#f7f5ef", fillOpacity: 1, className: "basemap-state",
    });
    box.setAttribute("data-basemap", "drawn");
  }

  function drawCounties(topology) {
    draw(topology, "counties", "basemap-counties", {
      color: "#aab4bf", weight: 0.8, fill: false, className: "basemap-county",
    });
  }

  function once(url, done) {
    if (requested[url]) return;
    requested[url] = true;
    getJSON(url, done);
  }

  function statesInView() {
    var view = map.getBounds().pad(0.1);
    return Object.keys(index).filter(function (fips) {
      var b = index[fips];
      return view.intersects(L.latLngBounds([b[1], b[0]], [b[3], b[2]]));
    });
  }

  function refreshBasemap() {
    if (!index) return;
    var inView = statesInView();
    if (inView.length > MANY_STATES) everyState = true;
    if (everyState) {
      once(atlas + "states-10m.json", drawStates);
    } else {
      inView.forEach(function (fips) { once(atlas + "states/" + fips + ".json", drawStates); });
    }
    if (map.getZoom() >= COUNTIES_FROM_ZOOM) {
      inView.forEach(function (fips) { once(atlas + "counties/" + fips + ".json", drawCounties); });
    }
  }

  getJSON(atlas + "states-index.json", function (bounds) {
    index = bounds;
    refreshBasemap();
  });
  map.on("moveend", refreshBasemap);

  function popup(clinic) {
    var content = document.createElement("p");
    if (clinic.url) {
      var link = document.createElement("a");
      link.href = clinic.url;
      link.textContent = clinic.name;
      content.appendChild(link);
    } else {
      content.appendChild(document.createTextNode(clinic.name));
    }
    var miles = clinic.distance_miles;
    if (typeof miles === "number") {
      content.appendChild(document.createElement("br"));
      var distance = miles < 0.05 ? "Less than 0.1 miles" : miles.toFixed(1) + " miles";
      content.appendChild(document.createTextNode(distance + " away"));
    }
    return content;
  }

  // The view first: Leaflet puts layers in the page only once the map has one.
  var points = results.clinics.map(function (clinic) { return [clinic.lat, clinic.lng]; });
  if (results.center) points.push([results.center.lat, results.center.lng]);
  if (points.length === 1) {
    map.setView(points[0], 11);
  } else {
    // Padding keeps every pin (30 px) whole inside the box, the top one included.
    map.fitBounds(points, { padding: [28, 28], maxZoom: 13 });
  }

  if (results.center) {
    // A ring above the pins, wider than one, so it stays visible around a clinic at the centre.
    var ringPane = map.createPane("searched");
    ringPane.style.zIndex = 650;
    ringPane.style.pointerEvents = "none"; // the pins under it stay clickable
    L.circleMarker([results.center.lat, results.center.lng], {
      pane: "searched", radius: 19, color: "#a4161a", weight: 3, fill: false,
      interactive: false, className: "searched-place",
    }).addTo(map);
  }

  results.clinics.forEach(function (clinic) {
    var label = clinic.number ? String(clinic.number) : "";
    var marker = L.marker([clinic.lat, clinic.lng], {
      title: clinic.name,
      alt: clinic.name,
      keyboard: false,
      riseOnHover: true,
      icon: L.divIcon({
        className: "map-pin",
        html: "<span>" + label + "</span>",
        iconSize: [30, 30],
        iconAnchor: [15, 15],
        popupAnchor: [0, -14],
      }),
    });
    marker.bindPopup(popup(clinic)).addTo(map);
    var element = marker.getElement();
    element.setAttribute("data-clinic-id", String(clinic.id));
    if (clinic.number) element.setAttribute("data-number", label);
  });
})();
