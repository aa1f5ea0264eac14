/** The account page's client route (under the router's /console base); ids are opaque, so encoded. */
export const accountPath = (id: string) => `/accounts/${encodeURIComponent(id)}`;
