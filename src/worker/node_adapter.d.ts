// comlink's Node adapter ships without a declaration next to its .mjs; this is its .d.ts.
declare module "comlink/dist/esm/node-adapter.mjs" {
  import type { Endpoint } from "comlink/dist/esm/protocol";
  export default function nodeEndpoint(nep: unknown): Endpoint;
}
