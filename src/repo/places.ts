// Where Ferry reads documents (docs/repository-format.md, "Files Ferry reads").

/** The folders of the suggested layout: every YAML file in them is read as a document. */
export const FERRY_FOLDERS = ['batches', 'sources', 'targets', 'overrides', 'resolutions'] as const;

/**
 * Where a YAML file is always a Ferry document, whatever it holds: the Project and Simulation
 * files and the folders of the suggested layout. Elsewhere a file is read only when one of its
 * documents claims a Ferry format.
 */
export const FERRY_PLACES = new RegExp(`^(?:(?:ferry|simulation)\\.ya?ml|(?:${FERRY_FOLDERS.join('|')})/.+)$`);

/** The files that may hold documents. */
export const YAML_FILE = /\.ya?ml$/;
