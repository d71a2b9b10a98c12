/**
 * A page's content stream written as text (ISO 32000-1 §7.8.2), for the document
 * renderer (render.ts).
 *
 * pdf-lib's drawing methods build one object per operator and per number (a
 * `PDFNumber` formats itself when it is made), check every option, and name a new
 * font resource each time `drawText` is given a font and a new graphics state each time
 * an opacity is given: a certificate page is a few thousand objects and a few hundred
 * resource names, most of a page's rendering time. {@link PageContent} writes the same
 * operators, numbers formatted as pdf-lib formats them (`numberToString`), as text,
 * and hands the page one operator holding all of it when done. Each font and each
 * opacity gets one resource name per page. Shapes still come from pdf-lib's own
 * operator builders (`drawLine`, `drawRectangle`, …), written out once; shapes that
 * never change (borders, rosette) are written once per process ({@link staticShapes}).
 *
 * Text must be ASCII once encoded — it is: text is shown as hex glyph IDs, names and
 * numbers are ASCII. Node or browser (pdf-lib only).
 */
import {
  cleanText,
  degreesToRadians,
  lineSplit,
  numberToString,
  PDFName,
  PDFOperator,
  setFillingColor,
  setStrokingColor,
  type Color,
  type PDFFont,
  type PDFPage,
} from 'pdf-lib';

/** pdf-lib's default text leading of a page (PDFPage `lineHeight`), written by drawText as `TL`. */
const LINE_HEIGHT = 24;

/**
 * A number as pdf-lib writes it in content streams (`numberToString`: decimal, never
 * exponential). `String(v)` is that already unless it has an exponent, which only
 * very small or very large numbers have; those go to pdf-lib's function.
 */
export function pdfNumber(v: number): string {
  const s = String(v);
  return s.includes('e') ? numberToString(v) : s;
}

const n = pdfNumber;

/** Operators (from pdf-lib's builders) as content text, one per line. */
export function operatorsText(operators: PDFOperator[]): string {
  let out = '';
  for (let i = 0; i < operators.length; i++) out += (i ? '\n' : '') + operators[i]!.toString();
  return out;
}

/** The `rg` / `RG` operator of a colour, as pdf-lib writes it. */
function fillColor(color: Color): string {
  return setFillingColor(color).toString();
}

/** The text of `fillColor`/`strokeColor` per colour object (the renderer's colours are constants). */
const colorText = new WeakMap<Color, { fill: string; stroke: string }>();
function colorOps(color: Color): { fill: string; stroke: string } {
  let c = colorText.get(color);
  if (c === undefined) {
    c = { fill: fillColor(color), stroke: setStrokingColor(color).toString() };
    colorText.set(color, c);
  }
  return c;
}

/** Where and how {@link PageContent.text} draws a line of text. */
export interface TextOptions {
  x: number;
  y: number;
  font: PDFFont;
  size: number;
  color: Color;
  /** Fill opacity (0–1). */
  opacity?: number;
  /** Rotation in degrees, counter-clockwise. */
  rotate?: number;
}

/**
 * The content of one page, written as text and handed to the page by {@link finish}.
 * Draws in call order, as pdf-lib's page methods would; resources (fonts, graphics
 * states) are added to the page's resource dictionary as they are first used.
 */
export class PageContent {
  private readonly parts: string[] = [];
  private readonly streams: string[] = [];
  private readonly fontKeys = new Map<PDFFont, string>();
  private readonly stateKeys = new Map<string, string>();

  constructor(private readonly page: PDFPage) {}

  /** Appends content text (operators, one per line, no trailing newline). */
  raw(text: string): void {
    this.parts.push(text);
  }

  /** Appends pdf-lib operators. */
  operators(operators: PDFOperator[]): void {
    this.parts.push(operatorsText(operators));
  }

  /** The page's resource name of `font` (`/F…`), added on first use. */
  fontKey(font: PDFFont): string {
    let key = this.fontKeys.get(font);
    if (key === undefined) {
      key = this.page.node.newFontDictionary(font.name, font.ref).toString();
      this.fontKeys.set(font, key);
    }
    return key;
  }

  /**
   * The page's resource name (`/GS…`) of an ExtGState with fill opacity `fill` and/or
   * stroke opacity `stroke` (the dictionary pdf-lib's drawing methods make), added on first use.
   */
  stateKey(fill: number | undefined, stroke: number | undefined): string {
    const id = `${fill}:${stroke}`;
    let key = this.stateKeys.get(id);
    if (key === undefined) {
      const dict = this.page.doc.context.obj({ Type: 'ExtGState', ca: fill, CA: stroke, BM: undefined });
      key = this.page.node.newExtGState('GS', dict).toString();
      this.stateKeys.set(id, key);
    }
    return key;
  }

  /**
   * One line of text, as `page.drawText(s, { x, y, font, size, color, opacity, rotate })`
   * writes it (cleaned and split as pdf-lib does, each line shown then `T*`).
   */
  text(s: string, o: TextOptions): void {
    const lines = lineSplit(cleanText(s));
    let out = 'q\n';
    if (o.opacity !== undefined) out += `${this.stateKey(o.opacity, undefined)} gs\n`;
    out += `BT\n${colorOps(o.color).fill}\n${this.fontKey(o.font)} ${n(o.size)} Tf\n${n(LINE_HEIGHT)} TL\n`;
    if (o.rotate === undefined || o.rotate === 0) {
      out += `1 0 0 1 ${n(o.x)} ${n(o.y)} Tm`;
    } else {
      // rotateAndSkewTextRadiansAndTranslate(r, 0, 0, x, y): cos r, sin r + tan 0, -sin r + tan 0, cos r, x, y
      const r = degreesToRadians(o.rotate);
      out += `${n(Math.cos(r))} ${n(Math.sin(r) + Math.tan(0))} ${n(-Math.sin(r) + Math.tan(0))} ${n(Math.cos(r))} ${n(o.x)} ${n(o.y)} Tm`;
    }
    for (const line of lines) out += `\n${o.font.encodeText(line).toString()} Tj\nT*`;
    out += '\nET\nQ';
    this.parts.push(out);
  }

  /**
   * Ends the page's current content stream here: what follows goes to a new stream
   * of the page's /Contents (ISO 32000-1 §7.8.2: the streams are read as one, split
   * only between operators). A page's unchanging first part (borders, rosette) then
   * is one stream, the same bytes in every document, compressed once
   * (`./deflate.ts` keeps recent outputs by input), and only the rest is compressed
   * per document.
   */
  cut(): void {
    if (this.parts.length > 0) this.streams.push(this.parts.splice(0).join('\n'));
  }

  /** Hands the written content to the page (one operator per content stream). */
  finish(): void {
    this.cut();
    this.streams.forEach((text, i) => {
      const operator = PDFOperator.of(text as never);
      if (i === 0) this.page.pushOperators(operator);
      else this.page.node.addContentStream(this.page.doc.context.register(this.page.doc.context.contentStream([operator])));
    });
    this.streams.length = 0;
  }
}

/** A stroke colour operator's text (for shapes written by hand). */
export function strokeColorText(color: Color): string {
  return colorOps(color).stroke;
}

/** A fill colour operator's text (for shapes written by hand). */
export function fillColorText(color: Color): string {
  return colorOps(color).fill;
}

const shapes = new Map<string, string>();

/**
 * Content text that never changes (page borders, the rosette), built once per process
 * by `build` and kept under `key`.
 */
export function staticShapes(key: string, build: () => PDFOperator[]): string {
  let text = shapes.get(key);
  if (text === undefined) {
    text = operatorsText(build());
    shapes.set(key, text);
  }
  return text;
}

/** A PDF name operand, written. */
export function nameText(name: string): string {
  return PDFName.of(name).toString();
}
