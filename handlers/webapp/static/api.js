// The JSON API under /app/api/: every call carries Telegram's signed initData; a refusal
// becomes an ApiError holding the server's own words (`message`) and, for a form, the `field`.

const BASE = new URL('api/', document.baseURI);

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || '');
    this.status = status;
    this.code = (body && body.error) || 'internal';
    this.field = (body && body.field) || null;
    this.body = body || null; // what else the refusal says (a changed checkout: its new summary)
  }
}

let initData = '';

export function setInitData(value) {
  initData = value || '';
}

function url(path, query) {
  const target = new URL(path, BASE);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== '') target.searchParams.set(key, value);
  }
  return target;
}

export async function api(path, { method = 'GET', body, form, query } = {}) {
  const headers = { Authorization: `tma ${initData}` };
  let payload;
  if (form) {
    payload = form; // multipart: the browser sets the boundary
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url(path, query), { method, headers, body: payload });
  } catch (error) {
    throw new ApiError(0, { error: 'network' });
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (error) {
      data = null;
    }
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const get = (path, query) => api(path, { query });
export const post = (path, body, query) => api(path, { method: 'POST', body: body ?? {}, query });
export const put = (path, body) => api(path, { method: 'PUT', body });
export const patch = (path, body) => api(path, { method: 'PATCH', body });
export const del = (path) => api(path, { method: 'DELETE' });
export const upload = (path, form, query) => api(path, { method: 'POST', form, query });
