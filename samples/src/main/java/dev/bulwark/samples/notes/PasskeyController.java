package dev.bulwark.samples.notes;

import dev.bulwark.authn.session.IssuedSession;
import dev.bulwark.authn.webauthn.Ceremony;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The passkey script's JSON calls ({@code static/webauthn.js}): each ceremony is started
 * ({@code .../start}: {@code {"ceremonyId":…,"options":{"publicKey":…}}}) and finished with the
 * browser's answer and the ceremony id in {@code X-Ceremony}. Spring Security checked the CSRF
 * header ({@code X-CSRF-Token}) and, except for the passkey sign-in, the session.
 */
@RestController
class PasskeyController {

  private static final int MAX_BODY_BYTES = 256 * 1024;
  /** Where a step-up may send the browser back to. */
  private static final List<String> REAUTH_NEXT = List.of("/account", "/enroll/passkey");

  private final NotesService service;

  PasskeyController(NotesService service) {
    this.service = service;
  }

  static ResponseEntity<String> json(int status, String body) {
    return ResponseEntity.status(status).contentType(new MediaType("application", "json", StandardCharsets.UTF_8))
        .body(body);
  }

  static ResponseEntity<String> jsonError(int status, String message) {
    return json(status, "{\"error\":\"" + jsonEscape(message) + "\"}");
  }

  private static ResponseEntity<String> ceremony(Ceremony c) {
    return json(200, "{\"ceremonyId\":\"" + jsonEscape(c.id()) + "\",\"options\":" + c.optionsJson() + "}");
  }

  private static ResponseEntity<String> reauth(ReauthRequired e, String next) {
    return json(403, "{\"error\":\"" + jsonEscape(e.getMessage()) + "\",\"redirect\":\"/reauth?next=" + next + "\"}");
  }

  /** The request body, at most 256 KiB. */
  private static String body(HttpServletRequest request) throws IOException, UserError {
    try (InputStream in = request.getInputStream()) {
      byte[] b = in.readNBytes(MAX_BODY_BYTES + 1);
      if (b.length > MAX_BODY_BYTES) {
        throw new UserError("The request is too large.");
      }
      return new String(b, StandardCharsets.UTF_8);
    }
  }

  private static SignedIn signedIn(HttpServletRequest request) {
    return SignedIn.of(request).orElseThrow(() -> new IllegalStateException("no session on a signed-in call"));
  }

  @PostMapping("/webauthn/login/start")
  ResponseEntity<String> loginStart(HttpServletRequest request) {
    return ceremony(service.startPasskeyLogin(Optional.empty(), request.getRemoteAddr()));
  }

  @PostMapping("/webauthn/login/finish")
  ResponseEntity<String> loginFinish(HttpServletRequest request, HttpServletResponse response,
      @RequestHeader(name = "X-Ceremony", required = false) String ceremonyId) throws IOException, UserError {
    IssuedSession s = service.finishPasskeyLogin(ceremonyId == null ? "" : ceremonyId, body(request));
    SessionCookies.write(request, response, s);
    return json(200, "{\"message\":\"Signed in.\",\"redirect\":\"/notes\"}");
  }

  @PostMapping("/webauthn/register/start")
  ResponseEntity<String> registerStart(HttpServletRequest request) {
    SignedIn s = signedIn(request);
    try {
      return ceremony(service.startPasskeyRegistration(s.session(), s.user(), request.getRemoteAddr()));
    } catch (ReauthRequired e) {
      return reauth(e, "/enroll/passkey");
    }
  }

  @PostMapping("/webauthn/register/finish")
  ResponseEntity<String> registerFinish(HttpServletRequest request,
      @RequestHeader(name = "X-Ceremony", required = false) String ceremonyId) throws IOException, UserError {
    SignedIn s = signedIn(request);
    try {
      service.finishPasskeyRegistration(s.session(), s.user(), ceremonyId == null ? "" : ceremonyId, body(request));
      return json(200, "{\"message\":\"Passkey registered.\",\"redirect\":\"/notes?m=passkey\"}");
    } catch (ReauthRequired e) {
      return reauth(e, "/enroll/passkey");
    }
  }

  @PostMapping("/webauthn/stepup/start")
  ResponseEntity<String> stepUpStart(HttpServletRequest request) {
    SignedIn s = signedIn(request);
    return ceremony(service.startPasskeyLogin(Optional.of(s.user()), request.getRemoteAddr()));
  }

  @PostMapping("/webauthn/stepup/finish")
  ResponseEntity<String> stepUpFinish(HttpServletRequest request, HttpServletResponse response,
      @RequestHeader(name = "X-Ceremony", required = false) String ceremonyId,
      @RequestParam(required = false) String next) throws IOException, UserError {
    SignedIn s = signedIn(request);
    IssuedSession issued = service.finishStepUp(s.user(), s.token(), ceremonyId == null ? "" : ceremonyId,
        body(request));
    SessionCookies.write(request, response, issued);
    String to = Optional.ofNullable(next).filter(REAUTH_NEXT::contains).map(n -> n + "?m=confirmed")
        .orElse("/admin?m=verified");
    return json(200, "{\"message\":\"Verified.\",\"redirect\":\"" + jsonEscape(to) + "\"}");
  }

  static String jsonEscape(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
