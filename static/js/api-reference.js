// The API reference: Swagger UI (vendored, static/vendor) over the portal's OpenAPI document.
// Its own file because the Content-Security-Policy allows no inline script.
document.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({ url: root.dataset.spec, domNode: root, deepLinking: true });
});
