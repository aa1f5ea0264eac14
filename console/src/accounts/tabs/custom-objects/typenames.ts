// A deletion answers only the id: the list names the type itself, so that it is asked again.
export const CUSTOM_OBJECTS = { additionalTypenames: ["CustomObject"] };
