// The judge's JSON API (judged --http-listen), with the bearer token from sessionStorage.
const TOKEN_KEY = "judge.token";
const CALLER_KEY = "judge.caller";

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

export function caller() {
  try {
    return JSON.parse(sessionStorage.getItem(CALLER_KEY) || "null");
  } catch {
    return null;
  }
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(CALLER_KEY);
}

// An error the API answered: {code, message} and the HTTP status.
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function failure(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: a proxy's page, say
  }
  if (body && body.message) return new ApiError(res.status, body.code, body.message);
  return new ApiError(res.status, "HTTP_" + res.status, `the judge answered HTTP ${res.status}`);
}

function headers(extra, tok) {
  const h = { Authorization: "Bearer " + (tok ?? token()), ...extra };
  return h;
}

async function call(method, path, body, tok) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: headers(body ? { "Content-Type": "application/json" } : {}, tok),
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (e) {
    throw new ApiError(0, "UNAVAILABLE", "cannot reach the judge: " + e.message);
  }
  if (!res.ok) throw await failure(res);
  return res.json();
}

// Checks a token and keeps it (and who it is) for this tab only.
export async function signIn(tok) {
  const who = await call("GET", "/v1/whoami", null, tok);
  sessionStorage.setItem(TOKEN_KEY, tok);
  sessionStorage.setItem(CALLER_KEY, JSON.stringify(who));
  return who;
}

export const get = (path) => call("GET", path);
export const post = (path, body) => call("POST", path, body);

// Reads a server-sent event stream (fetch, so that the token goes in a header) and calls
// onEvent with each event's data, parsed. Resolves when the stream ends; an error event (the
// stream broke before the verdict) is thrown as an ApiError.
export async function stream(method, path, body, onEvent, signal) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: headers(body ? { "Content-Type": "application/json" } : {}),
      body: body ? JSON.stringify(body) : undefined,
      signal,
    });
  } catch (e) {
    if (e.name === "AbortError") return;
    throw new ApiError(0, "UNAVAILABLE", "cannot reach the judge: " + e.message);
  }
  if (!res.ok) throw await failure(res);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch (e) {
      if (e.name === "AbortError") return;
      throw new ApiError(0, "UNAVAILABLE", "the event stream broke: " + e.message);
    }
    if (chunk.done) break;
    buffer += decoder.decode(chunk.value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const lines = block.split("\n");
      const data = lines
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
        .join("\n");
      if (!data) continue;
      // The stream broke before the verdict (the node keeping the submission went away).
      if (lines.includes("event: error")) {
        const err = JSON.parse(data);
        throw new ApiError(0, err.code, err.message);
      }
      onEvent(JSON.parse(data));
    }
  }
}
