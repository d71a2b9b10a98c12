/** Types for subset-font 2.x (HarfBuzz in WebAssembly), which ships none. */
declare module 'subset-font' {
  interface SubsetFontOptions {
    targetFormat?: 'sfnt' | 'woff' | 'woff2' | 'truetype';
    preserveNameIds?: number[];
    keepFeatures?: string[];
    noLayoutClosure?: boolean;
    glyphNames?: boolean;
    noHinting?: boolean;
    dropTables?: string[];
  }
  function subsetFont(buffer: Buffer, text: string | null | undefined, options?: SubsetFontOptions): Promise<Buffer>;
  export default subsetFont;
}
