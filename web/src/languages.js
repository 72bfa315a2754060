// The judge's languages as the server's table has them (GET /v1/languages: id, short name,
// editor mode, starter): loaded once, so a new language needs no change here.
import { get } from "./api.js";

let byId = null;

export async function loadLanguages() {
  if (byId) return byId;
  const { languages = [] } = await get("/v1/languages");
  byId = Object.fromEntries(languages.map((l) => [l.id, l]));
  return byId;
}

// Synchronous look-ups, once loadLanguages has resolved.
export const languageName = (id) => byId?.[id]?.name || id;
export const starter = (id) => byId?.[id]?.starter ?? "";
export const editorMode = (id) => byId?.[id]?.editorMode || id;
