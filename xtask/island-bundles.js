// Prepended by `cargo xtask build` to wasm-split's loader, whose `fetch` calls it takes over.
//
// Each lazy island's code is one file, `bundle_<island>.wasm`, or that of its group of islands
// shown together (`groupedIslandBundles`, which the build writes before this script): a
// WebAssembly module whose custom sections are the island's own module and every chunk it
// needs, each named by its file (`split_<island>`, `chunk_<n>`). wasm-split's loader fetches
// those files one by one, and all that one island needs in the same task as the island's own
// module; this `fetch` serves that task's requests from the bundles of the islands among them,
// and fetches from the network only what none of those bundles holds.
let islandBundleRequests = [];
const islandBundles = new Map();

function fetch(url) {
  return new Promise((resolve, reject) => {
    if (islandBundleRequests.length === 0) queueMicrotask(serveIslandBundleRequests);
    islandBundleRequests.push({ url: String(url), resolve, reject });
  });
}

function serveIslandBundleRequests() {
  const requests = islandBundleRequests;
  islandBundleRequests = [];
  const bundles = requests
    .map(({ url }) => /\/split_([^/]+)\.wasm$/.exec(url)?.[1])
    .filter((island) => island !== undefined)
    .map((island) => (Object.hasOwn(groupedIslandBundles, island) ? groupedIslandBundles[island] : `bundle_${island}`))
    .map((bundle) => islandBundle(new URL(`./${bundle}.wasm`, import.meta.url).href));
  for (const { url, resolve, reject } of requests) {
    const name = url.slice(url.lastIndexOf("/") + 1, -".wasm".length);
    // A bundle that failed to arrive leaves its files to the network: a lazy island whose code
    // fails to load does not retry, it stops the page's WASM.
    Promise.allSettled(bundles)
      .then((results) => {
        for (const { value: module } of results.filter(({ status }) => status === "fulfilled")) {
          const [code] = WebAssembly.Module.customSections(module, name);
          if (code) return new Response(code, { headers: { "Content-Type": "application/wasm" } });
        }
        return globalThis.fetch(url);
      })
      .then(resolve, reject);
  }
}

// Fetched once per page and kept for its life (a few tens of kB); a failed one is forgotten.
function islandBundle(href) {
  let bundle = islandBundles.get(href);
  if (bundle === undefined) {
    bundle = globalThis.fetch(href).then((response) => {
      if (!response.ok) throw new Error(`${href}: ${response.status}`);
      return WebAssembly.compileStreaming(response);
    });
    islandBundles.set(href, bundle);
    bundle.catch(() => {
      if (islandBundles.get(href) === bundle) islandBundles.delete(href);
    });
  }
  return bundle;
}
