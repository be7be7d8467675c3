/* The results map: one marker per clinic in the list, each popup linking to its listing.
 *
 * Reads the page's JSON data block (#results-data) and the map box's data-* attributes;
 * the list stays the primary view, so markers are left out of the tab order (the same
 * links are in the list) and the map adds nothing a keyboard or screen reader needs.
 * Tiles load only from the configured data-tile-url; without one the map shows the
 * markers on a plain background and no request leaves the site.
 */
(function () {
  "use strict";

  var figure = document.getElementById("results-map-figure");
  var box = document.getElementById("results-map");
  var data = document.getElementById("results-data");
  if (!figure || !box || !data || typeof L === "undefined") {
    return;
  }
  var results = JSON.parse(data.textContent);
  if (!results.clinics.length) {
    return;
  }

  figure.hidden = false;
  var map = L.map(box, { scrollWheelZoom: false, keyboard: false });
  map.attributionControl.setPrefix(false);

  var tileUrl = box.getAttribute("data-tile-url");
  if (tileUrl) {
    L.tileLayer(tileUrl, {
      maxZoom: 18,
      attribution: box.getAttribute("data-tile-attribution") || "",
    }).on("tileerror", function () {
      // Offline, or the tile server is down: the same plain background as without tiles.
      box.classList.add("no-tiles");
    }).addTo(map);
  } else {
    box.classList.add("no-tiles");
  }

  function popup(clinic) {
    var content = document.createElement("p");
    var link = document.createElement("a");
    link.href = clinic.url;
    link.textContent = clinic.name;
    content.appendChild(link);
    content.appendChild(document.createElement("br"));
    var miles = clinic.distance_miles;
    var distance = miles < 0.05 ? "Less than 0.1 miles" : miles.toFixed(1) + " miles";
    content.appendChild(document.createTextNode(distance + " away"));
    return content;
  }

  var points = results.clinics.map(function (clinic) { return [clinic.lat, clinic.lng]; });
  points.push([results.center.lat, results.center.lng]);
  map.fitBounds(points, { padding: [24, 24], maxZoom: 13 });

  results.clinics.forEach(function (clinic) {
    var marker = L.marker([clinic.lat, clinic.lng], {
      title: clinic.name,
      alt: clinic.name,
      keyboard: false,
    });
    marker.bindPopup(popup(clinic)).addTo(map);
    marker.getElement().setAttribute("data-clinic-id", String(clinic.id));
  });
})();
