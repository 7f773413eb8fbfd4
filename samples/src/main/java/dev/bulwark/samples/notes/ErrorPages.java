package dev.bulwark.samples.notes;

import edu.umd.cs.findbugs.annotations.SuppressFBWarnings;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * No page ever shows a stack trace: wrong input gets a message, an unexpected error a reference
 * that matches a line in the server's log. This controller answers every error Tomcat or Spring
 * forwards to {@code /error} (404, 405, 400 for a malformed request, 500), and
 * {@link Advice} every exception a controller throws.
 */
@RestController
class ErrorPages implements ErrorController {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorPages.class);

  static ResponseEntity<String> notFound(Pages.Ctx c) {
    return c.page(404, "Not found", "<h1>Page not found</h1><p>There is nothing at this address."
        + " <a href=\"/\">Start page</a></p>");
  }

  static ResponseEntity<String> expiredForm(Pages.Ctx c) {
    return c.page(403, "Expired form", "<h1>This form has expired</h1><p>For your safety the request"
        + " was refused (missing or wrong CSRF token). Go <a href=\"javascript:history.back()\">back</a>,"
        + " reload the page and try again.</p>");
  }

  static ResponseEntity<String> forbidden(Pages.Ctx c) {
    return c.page(403, "Not allowed", "<h1>Not allowed</h1><p>Only the admin can open this page.</p>");
  }

  static ResponseEntity<String> badRequest(Pages.Ctx c, String message) {
    return c.page(400, "Error", "<h1>Something is not right</h1>" + Html.message(Optional.empty(), Optional.of(message)));
  }

  static ResponseEntity<String> serverError(Pages.Ctx c, String ref) {
    return c.page(500, "Error", "<h1>Something went wrong</h1><p>The server could not complete the"
        + " request. Nothing you did caused this; the details are in the server's log (reference <code>"
        + ref + "</code>).</p><p><a href=\"/\">Back to the start page</a></p>");
  }

  /** Logs {@code e} with a short reference the page shows instead. */
  static String report(HttpServletRequest request, Throwable e) {
    String ref = UUID.randomUUID().toString().substring(0, 8);
    Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
    LOG.error("request {} {} failed (ref {})", request.getMethod(), uri != null ? uri : request.getRequestURI(), ref, e);
    return ref;
  }

  @RequestMapping("/error")
  @SuppressFBWarnings(value = "SPRING_CSRF_UNRESTRICTED_REQUEST_MAPPING", justification = "every method's error is "
      + "forwarded here after Spring Security checked the original request (CSRF included); it changes nothing, and "
      + "a request for /error itself is not an error dispatch and meets the security chain like any other")
  ResponseEntity<String> error(HttpServletRequest request) {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int status = code instanceof Integer i ? i : 500;
    Pages.Ctx c = WebSecurity.ctx(request, Optional.empty());
    Object failure = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
    switch (status) {
      case 404:
        return notFound(c);
      case 405:
        return c.page(405, "Not allowed", "<h1>Method not allowed</h1><p>This address does not take that kind of"
            + " request. <a href=\"/\">Start page</a></p>");
      case 400:
        return badRequest(c, "The request is malformed.");
      case 413:
        return c.page(413, "Too large", "<h1>The request is too large</h1>");
      default:
        if (status >= 400 && status < 500) {
          return c.page(status, "Error", "<h1>The request was refused</h1><p><a href=\"/\">Start page</a></p>");
        }
        String ref = failure instanceof Throwable t ? report(request, t) : report(request,
            new IllegalStateException("error " + status + " without an exception"));
        return serverError(c, ref);
    }
  }

  /** Exceptions of the controllers. */
  @ControllerAdvice
  static class Advice {
    @ExceptionHandler(UserError.class)
    ResponseEntity<String> userError(UserError e, HttpServletRequest request) {
      return badRequest(WebSecurity.ctx(request, Optional.empty()), e.getMessage());
    }

    @ExceptionHandler(org.springframework.web.HttpRequestMethodNotSupportedException.class)
    ResponseEntity<String> method(HttpServletRequest request) {
      return WebSecurity.ctx(request, Optional.empty()).page(405, "Not allowed", "<h1>Method not allowed</h1>"
          + "<p>This address does not take that kind of request. <a href=\"/\">Start page</a></p>");
    }

    @ExceptionHandler(org.springframework.web.servlet.resource.NoResourceFoundException.class)
    ResponseEntity<String> missing(HttpServletRequest request) {
      return notFound(WebSecurity.ctx(request, Optional.empty()));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<String> unexpected(Exception e, HttpServletRequest request) {
      if (e instanceof org.springframework.web.ErrorResponse r && r.getStatusCode().is4xxClientError()) {
        // Spring MVC's own refusals (a missing parameter, an unsupported media type, ...): no trace.
        int status = r.getStatusCode().value();
        return WebSecurity.ctx(request, Optional.empty()).page(status, "Error", "<h1>Something is not right</h1>"
            + Html.message(Optional.empty(), Optional.of("The request is malformed.")));
      }
      String ref = report(request, e);
      return serverError(WebSecurity.ctx(request, Optional.empty()), ref);
    }
  }
}
