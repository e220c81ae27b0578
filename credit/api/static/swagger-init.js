// Start Swagger UI on /docs (credit.api.docs): a file, not an inline script, so that the page's
// Content-Security-Policy needs no 'unsafe-inline' for scripts. validatorUrl: null keeps the
// browser from asking the public validator service for a badge.
(function () {
  var el = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: el.getAttribute("data-spec"),
    dom_id: "#swagger-ui",
    oauth2RedirectUrl: window.location.origin + el.getAttribute("data-oauth2-redirect"),
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]
  });
})();
