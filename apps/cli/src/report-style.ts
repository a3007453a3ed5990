import { MARKS, OKABE_ITO } from './report-chart.js';

/**
 * The drill report's stylesheet, inline so that the page opens with no network (its
 * Content-Security-Policy forbids every fetch). Landscape A4 for print, colours kept in print, and
 * the chart's marks in the Okabe–Ito palette, each with a pattern or glyph too.
 */
export const REPORT_CSS = `  @page { size: A4 landscape; margin: 10mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 24px; color: #1a1a1a; max-width: 1200px; }
  h1 { font-size: 22px; margin: 8px 0 4px; } h2 { font-size: 16px; margin: 20px 0 6px; }
  .mode { display: inline-block; font-weight: 700; letter-spacing: .08em; padding: 2px 10px; border: 2px solid; border-radius: 3px; }
  .mode.simulated { color: ${OKABE_ITO.blue}; } .mode.live { color: ${OKABE_ITO.vermillion}; }
  .mode-note { color: #444; margin-left: 8px; }
  .outcome { font-size: 17px; margin: 6px 0 10px; } .outcome b.ok { color: ${OKABE_ITO.bluishGreen}; } .outcome b.bad { color: ${OKABE_ITO.vermillion}; }
  .facts { display: grid; grid-template-columns: max-content 1fr; gap: 0 14px; margin: 0; } .facts dt { color: #555; } .facts dd { margin: 0; }
  .repro { margin: 8px 0 4px; } code { font: 13px ui-monospace, "DejaVu Sans Mono", monospace; background: #f1f1f1; padding: 1px 5px; border-radius: 3px; }
  table { border-collapse: collapse; margin: 6px 0 12px; }
  th { text-align: left; color: #555; font-weight: 600; border-bottom: 1px solid #ccc; padding: 3px 14px 3px 0; }
  td { padding: 3px 14px 3px 0; vertical-align: top; } .score td, .changes td { border-bottom: 1px solid #eee; }
  td.ok { color: ${OKABE_ITO.bluishGreen}; font-weight: 700; } td.bad { color: ${OKABE_ITO.vermillion}; font-weight: 700; }
  td small { color: #555; } .score td small { display: inline-block; max-width: 560px; } .score td:nth-child(3), .score td:nth-child(4) { white-space: nowrap; }
  .details td:first-child { color: #555; white-space: nowrap; }
  .fate.undone { color: #8a5a00; } .fate.not-undone { color: ${OKABE_ITO.vermillion}; font-weight: 700; }
  .after { border-left: 4px solid ${OKABE_ITO.orange}; padding: 2px 0 2px 12px; } .next { font-weight: 700; }
  svg .grid { stroke: #e3e3e3; } svg .tick { font-size: 11px; fill: #555; text-anchor: middle; } svg .axis-title { font-size: 11px; fill: #555; }
  svg .label { font-size: 12px; fill: #1a1a1a; } svg .label.step { font-weight: 600; } svg .label.block { fill: #555; font-size: 11px; }
  svg .in-bar { font-size: 10px; fill: #1a1a1a; } svg .note { font-size: 11px; fill: #444; } svg .note.failed { fill: #7a2a5a; font-weight: 700; }
  svg .unfinished, .legend .unfinished { fill: #ffffff; stroke: #666; stroke-dasharray: 3 2; }
  svg .ponr, .legend .ponr { fill: ${MARKS.pointOfNoReturn}; stroke: #fff; stroke-width: 1; }
  svg .marker { font-size: 11px; font-weight: 600; }
  .m-fault { stroke: ${OKABE_ITO.vermillion}; stroke-dasharray: 4 3; } text.m-fault { fill: ${OKABE_ITO.vermillion}; stroke: none; }
  .m-ponr { stroke: ${MARKS.pointOfNoReturn}; } text.m-ponr { fill: ${MARKS.pointOfNoReturn}; stroke: none; }
  .m-objective { stroke: ${OKABE_ITO.black}; stroke-width: 2; stroke-dasharray: 7 4; } text.m-objective { fill: ${OKABE_ITO.black}; stroke: none; }
  .m-rpo { stroke: ${OKABE_ITO.blue}; stroke-width: 2; stroke-dasharray: 2 3; } text.m-rpo { fill: ${OKABE_ITO.blue}; stroke: none; }
  .m-rto-met { stroke: ${OKABE_ITO.bluishGreen}; stroke-width: 2; } text.m-rto-met { fill: #00684f; stroke: none; }
  .m-rto-missed { stroke: ${OKABE_ITO.vermillion}; stroke-width: 2; } text.m-rto-missed { fill: ${OKABE_ITO.vermillion}; stroke: none; }
  .chart svg { max-width: 100%; height: auto; }
  .legend { font-size: 12px; margin: 4px 0 8px; } .legend span { display: inline-flex; align-items: center; gap: 4px; margin: 0 14px 4px 0; } .legend svg { flex: none; }
  .legend .palette { color: #555; font-style: italic; }
  @media print { body { margin: 0; } section, .chart, table { break-inside: avoid; } }
`;
