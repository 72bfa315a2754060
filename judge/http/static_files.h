// The built page's files (index.html, app.js, style.css, ...) from one directory, read on each
// request. A path is taken only as a plain name under that directory: no "..", no NUL or other
// control byte, no hidden file; "/" is index.html.
#pragma once

#include <string>

#include "judge/http/http_routes.h"

namespace judge {

// `path` is percent-decoded. 404 for what is not there, 400 for a path no file could have.
HttpReply ServeStaticFile(const std::string& root, const std::string& path);

}  // namespace judge
