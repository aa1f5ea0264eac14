/** An import's progress page, relative to the /data screen's nested router; ids are opaque, so encoded. */
export const importPath = (id: string) => `/imports/${encodeURIComponent(id)}`;
