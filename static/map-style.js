// panhuo map: styles. Parcels by class (colour) and status (待处置 solid
// fill, 处置中 hatched with a dashed outline, 已处置 outline only); park
// boundaries with their names. Styles are built once per key and reused:
// a layer of thousands of parcels costs no allocation per frame.

/** Class colours; map.css uses the same for the legend. */
export const CLASS_COLOURS = {
  unsupplied: [230, 126, 34], // 批而未供: orange
  idle: [214, 48, 49], // 闲置: red
  inefficient: [108, 92, 231], // 低效: violet
};
const OTHER = [99, 110, 114];

const rgba = (c, a) => `rgba(${c[0]},${c[1]},${c[2]},${a})`;

// A diagonal hatch of colour c as a canvas pattern.
function hatch(c) {
  const size = 10;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = size * devicePixelRatio;
  const g = canvas.getContext("2d");
  g.scale(devicePixelRatio, devicePixelRatio);
  g.fillStyle = rgba(c, 0.12);
  g.fillRect(0, 0, size, size);
  g.strokeStyle = rgba(c, 0.85);
  g.lineWidth = 2;
  g.beginPath();
  g.moveTo(-1, size + 1);
  g.lineTo(size + 1, -1);
  g.moveTo(-1, 1);
  g.lineTo(1, -1);
  g.moveTo(size - 1, size + 1);
  g.lineTo(size + 1, size - 1);
  g.stroke();
  return g.createPattern(canvas, "repeat");
}

/** Style factory bound to the global ol. */
export function makeStyles(ol) {
  const cache = new Map();

  function parcelStyle(cls, status) {
    const key = `${cls}|${status}`;
    let s = cache.get(key);
    if (s) return s;
    const c = CLASS_COLOURS[cls] || OTHER;
    let fill, stroke;
    switch (status) {
      case "in_progress":
        fill = new ol.style.Fill({ color: hatch(c) });
        stroke = new ol.style.Stroke({ color: rgba(c, 1), width: 1.5, lineDash: [6, 4] });
        break;
      case "disposed":
        // Outline only; a fill nearly transparent keeps the inside clickable.
        fill = new ol.style.Fill({ color: "rgba(255,255,255,0.01)" });
        stroke = new ol.style.Stroke({ color: rgba(c, 0.9), width: 1.5 });
        break;
      default: // pending
        fill = new ol.style.Fill({ color: rgba(c, 0.55) });
        stroke = new ol.style.Stroke({ color: rgba(c, 1), width: 1.2 });
    }
    s = new ol.style.Style({ fill, stroke });
    cache.set(key, s);
    return s;
  }

  const parkStroke = new ol.style.Stroke({ color: "rgba(29,111,165,0.9)", width: 2, lineDash: [10, 6] });
  const parkFill = new ol.style.Fill({ color: "rgba(29,111,165,0.03)" });
  const parkStyles = new Map();

  function parkStyle(name, withLabel) {
    const key = (withLabel ? "1" : "0") + name;
    let s = parkStyles.get(key);
    if (s) return s;
    s = new ol.style.Style({
      stroke: parkStroke,
      fill: parkFill,
      text: withLabel
        ? new ol.style.Text({
            text: name,
            font: "bold 15px 'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif",
            fill: new ol.style.Fill({ color: "#12466b" }),
            stroke: new ol.style.Stroke({ color: "rgba(255,255,255,0.95)", width: 4 }),
            overflow: true,
          })
        : undefined,
    });
    parkStyles.set(key, s);
    return s;
  }

  // Sketches being drawn and the shape being edited.
  const sketch = [
    new ol.style.Style({
      fill: new ol.style.Fill({ color: "rgba(29,111,165,0.2)" }),
      stroke: new ol.style.Stroke({ color: "#1d6fa5", width: 2.5 }),
    }),
    new ol.style.Style({
      image: new ol.style.Circle({ radius: 4, fill: new ol.style.Fill({ color: "#1d6fa5" }), stroke: new ol.style.Stroke({ color: "#fff", width: 1.5 }) }),
      geometry: (f) => {
        const g = f.getGeometry();
        const type = g.getType();
        const coords = type === "Polygon" ? g.getCoordinates().flat() : type === "MultiPolygon" ? g.getCoordinates().flat(2) : [];
        return new ol.geom.MultiPoint(coords);
      },
    }),
  ];

  // A shape the server refused: red.
  const fault = new ol.style.Style({
    fill: new ol.style.Fill({ color: "rgba(197,48,48,0.25)" }),
    stroke: new ol.style.Stroke({ color: "#c53030", width: 3 }),
  });

  // The selected parcel: a white halo under a blue outline.
  const selected = [
    new ol.style.Style({ stroke: new ol.style.Stroke({ color: "rgba(255,255,255,0.95)", width: 6 }) }),
    new ol.style.Style({ stroke: new ol.style.Stroke({ color: "#1d6fa5", width: 3 }) }),
  ];

  return { parcelStyle, parkStyle, selected, sketch, fault };
}

/** A key that says how a parcel is drawn (for tests and the debug handle). */
export function styleKey(props) {
  const fill = { pending: "solid", in_progress: "hatched", disposed: "outline" }[props.status] || "solid";
  return `${props.class}/${fill}`;
}
