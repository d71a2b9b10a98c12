/** A minimal Prometheus text-format registry (counters and gauges). */
export class Metrics {
  private readonly counters = new Map<string, { help: string; values: Map<string, number> }>();
  private readonly gauges = new Map<string, { help: string; read: () => number | Promise<number> }>();

  counter(name: string, help: string): (labels?: Record<string, string>, by?: number) => void {
    const c = { help, values: new Map<string, number>() };
    this.counters.set(name, c);
    return (labels = {}, by = 1) => {
      const key = Object.entries(labels)
        .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
        .join(',');
      c.values.set(key, (c.values.get(key) ?? 0) + by);
    };
  }

  gauge(name: string, help: string, read: () => number | Promise<number>): void {
    this.gauges.set(name, { help, read });
  }

  async render(): Promise<string> {
    const lines: string[] = [];
    for (const [name, c] of this.counters) {
      lines.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`);
      if (c.values.size === 0) lines.push(`${name} 0`);
      for (const [k, v] of c.values) lines.push(`${name}${k ? `{${k}}` : ''} ${v}`);
    }
    for (const [name, g] of this.gauges) {
      lines.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`, `${name} ${await g.read()}`);
    }
    return lines.join('\n') + '\n';
  }
}
