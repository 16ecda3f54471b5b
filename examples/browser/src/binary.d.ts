// esbuild's 'binary' loader (examples/browser/build.mjs) turns these files into their bytes.
declare module '*.png' {
  const bytes: Uint8Array;
  export default bytes;
}
declare module '*.safetensors' {
  const bytes: Uint8Array;
  export default bytes;
}
