// A small SVG bar chart generator for RESULTS.md: one group of horizontal bars per scenario, bar length
// relative to the fastest engine of that group (scenarios differ by orders of magnitude), each bar labelled
// with its ops/s. Pure string building; never reads or writes files.

export interface ChartBar {
  /** Engine key: picks the colour, so an engine has the same colour in every group. */
  readonly key: string;
  readonly label: string;
  readonly value: number;
  /** Text after the bar, e.g. "1,234 ops/s ±1.2%". */
  readonly text: string;
}

export interface ChartGroup {
  readonly title: string;
  readonly bars: readonly ChartBar[];
}

const PALETTE = ["#2f6fdf", "#e0882b", "#7a7a7a", "#3aa361", "#b04ac0", "#c8423a"];

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Renders the groups as one SVG document; colours follow the order in which engine keys first appear. */
export function barChart(groups: readonly ChartGroup[], title: string): string {
  const colourOf = new Map<string, string>();
  const legend: Array<{ key: string; label: string }> = [];
  for (const group of groups) {
    for (const bar of group.bars) {
      if (!colourOf.has(bar.key)) {
        colourOf.set(bar.key, PALETTE[colourOf.size % PALETTE.length]!);
        legend.push({ key: bar.key, label: bar.label });
      }
    }
  }
  const width = 900;
  const labelWidth = 260;
  const barArea = 420;
  const barHeight = 16;
  const gap = 4;
  const out: string[] = [];
  let y = 36;
  out.push(`<text x="16" y="24" font-size="16" font-weight="bold">${escapeXml(title)}</text>`);
  for (const group of groups) {
    y += 10;
    out.push(`<text x="16" y="${y + 12}" font-size="13" font-weight="bold">${escapeXml(group.title)}</text>`);
    y += 20;
    const max = Math.max(...group.bars.map((b) => b.value), 1e-9);
    for (const bar of group.bars) {
      const length = Math.max(1, Math.round((bar.value / max) * barArea));
      out.push(`<text x="${labelWidth - 8}" y="${y + barHeight - 4}" font-size="12" text-anchor="end">${escapeXml(bar.label)}</text>`);
      out.push(`<rect x="${labelWidth}" y="${y}" width="${length}" height="${barHeight}" fill="${colourOf.get(bar.key)}"/>`);
      out.push(`<text x="${labelWidth + length + 6}" y="${y + barHeight - 4}" font-size="12">${escapeXml(bar.text)}</text>`);
      y += barHeight + gap;
    }
  }
  y += 10;
  let x = 16;
  for (const { key, label } of legend) {
    out.push(`<rect x="${x}" y="${y}" width="12" height="12" fill="${colourOf.get(key)}"/>`);
    out.push(`<text x="${x + 16}" y="${y + 10}" font-size="12">${escapeXml(label)}</text>`);
    x += 28 + label.length * 6.5;
    if (x > width - 200) {
      x = 16;
      y += 18;
    }
  }
  y += 28;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...out,
    `</svg>`,
    "",
  ].join("\n");
}
