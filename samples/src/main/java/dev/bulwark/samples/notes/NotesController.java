package dev.bulwark.samples.notes;

import static dev.bulwark.samples.notes.Html.h;
import static dev.bulwark.samples.notes.Pages.seeOther;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.session.IssuedSession;
import dev.bulwark.authn.session.SessionException;
import dev.bulwark.spring.security.BulwarkAuthentication;
import dev.bulwark.spring.security.BulwarkSecurityContextRepository;
import dev.bulwark.lifecycle.ErasureReport;
import dev.bulwark.lifecycle.PurgeScheduler;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.beans.factory.ObjectProvider;
import dev.bulwark.spring.sso.SsoRegistration;
import dev.bulwark.spring.sso.SsoRegistrations;

/**
 * The HTML pages. Spring Security has already decided who may reach each one (signed in or not,
 * the admin's role and step-up) and checked the CSRF token of every POST; the sign-in form itself
 * is Spring Security's form login. Every signed-in page except the set-up ones first needs the
 * authenticator app ({@code /enroll/totp}).
 */
@Controller
@ResponseBody
class NotesController {

  /** Where /reauth may send the browser back to (never an address from the request as such). */
  private static final List<String> REAUTH_NEXT = List.of("/account", "/enroll/passkey");

  private final NotesService service;
  private final Clock clock;
  private final BulwarkSecurityContextRepository sessions;
  private final SignedIn.Resolver signedIn;
  private final ObjectProvider<SsoRegistrations> sso;

  NotesController(NotesService service, Clock clock, BulwarkSecurityContextRepository sessions,
      SignedIn.Resolver signedIn, ObjectProvider<SsoRegistrations> sso) {
    this.service = service;
    this.clock = clock;
    this.sessions = sessions;
    this.signedIn = signedIn;
    this.sso = sso;
  }

  /** The identity providers of "Sign in with SSO": none unless bulwark.sso.* is configured. */
  private List<SsoRegistration> ssoButtons() {
    SsoRegistrations r = sso.getIfAvailable();
    return r == null ? List.of() : r.all();
  }

  /** Hands a newly issued session to the browser (the starter's repository writes the cookie). */
  private void signIn(HttpServletRequest request, HttpServletResponse response, IssuedSession issued) {
    SecurityContext context = SecurityContextHolder.createEmptyContext();
    context.setAuthentication(BulwarkAuthentication.issued(issued, clock.instant()));
    SecurityContextHolder.setContext(context);
    sessions.saveContext(context, request, response);
    signedIn.forget(request);
  }

  /** Records a factor just verified in the session (a new token in the cookie). */
  private void elevate(HttpServletRequest request, HttpServletResponse response, AssuranceLevel level)
      throws UserError {
    try {
      sessions.elevate(request, response, Factor.TOTP, clock.instant(), level);
      signedIn.forget(request);
    } catch (SessionException e) {
      throw new UserError("Your session has ended; sign in again.");
    }
  }

  private static Pages.Ctx ctx(HttpServletRequest request, String m, Optional<SignedIn> s) {
    CsrfToken token = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
    return new Pages.Ctx(token == null ? "" : token.getToken(), Optional.ofNullable(m).map(Pages.FLASH::get),
        s.map(SignedIn::user));
  }

  /** The signed-in request (Spring Security let only those through). */
  private SignedIn signedIn(HttpServletRequest request) {
    return signedIn.of(request).orElseThrow(() -> new IllegalStateException("no session on a signed-in page"));
  }

  /** Every account finishes its set-up (an authenticator app) before anything else. */
  private Optional<ResponseEntity<String>> setUpFirst(SignedIn s) {
    // An SSO account's second factor is its identity provider's business (the level says what it did).
    if (s.session().factors().containsKey(Factor.FEDERATED)) {
      return Optional.empty();
    }
    return service.hasTotp(s.user()) ? Optional.empty() : Optional.of(seeOther("/enroll/totp"));
  }

  @GetMapping("/")
  ResponseEntity<String> home(HttpServletRequest request) {
    if (signedIn.of(request).isPresent()) {
      return seeOther("/notes");
    }
    return Pages.home(ctx(request, null, Optional.empty()));
  }

  @GetMapping("/favicon.ico")
  ResponseEntity<String> favicon() {
    return ResponseEntity.noContent().build();
  }

  @GetMapping("/register")
  ResponseEntity<String> registerPage(HttpServletRequest request) {
    return Pages.register(ctx(request, null, Optional.empty()), Optional.empty(), "", 200);
  }

  @PostMapping("/register")
  ResponseEntity<String> register(HttpServletRequest request, HttpServletResponse response,
      @RequestParam(required = false) String username, @RequestParam(required = false) String password,
      @RequestParam(required = false) String confirm) {
    String name = Optional.ofNullable(username).orElse("").trim();
    try {
      signIn(request, response, service.register(name, password, confirm, request.getRemoteAddr()));
      return seeOther("/enroll/totp");
    } catch (RateLimited e) {
      HttpHeaders headers = new HttpHeaders();
      e.headers().forEach(headers::set);
      ResponseEntity<String> page = Pages.register(ctx(request, null, Optional.empty()), Optional.of(e.getMessage()),
          name, e.status());
      return ResponseEntity.status(page.getStatusCode()).headers(page.getHeaders()).headers(headers).body(page.getBody());
    } catch (UserError e) {
      return Pages.register(ctx(request, null, Optional.empty()), Optional.of(e.getMessage()), name, 400);
    }
  }

  @GetMapping("/login")
  ResponseEntity<String> loginPage(HttpServletRequest request, @RequestParam(name = "m", required = false) String m) {
    return Pages.login(ctx(request, m, Optional.empty()), Optional.empty(), "", 200, ssoButtons());
  }

  @GetMapping("/enroll/totp")
  ResponseEntity<String> totpPage(HttpServletRequest request) {
    SignedIn s = signedIn(request);
    return Pages.totp(ctx(request, null, Optional.of(s)), service, s, Optional.empty());
  }

  @PostMapping("/enroll/totp")
  ResponseEntity<String> confirmTotp(HttpServletRequest request, HttpServletResponse response,
      @RequestParam(required = false) String code) {
    SignedIn s = signedIn(request);
    try {
      service.confirmTotp(s.user(), code);
      elevate(request, response, AssuranceLevel.AAL2);
      return seeOther("/enroll/passkey?m=totp");
    } catch (UserError e) {
      return Pages.totp(ctx(request, null, Optional.of(s)), service, s, Optional.of(e.getMessage()));
    }
  }

  @GetMapping("/enroll/passkey")
  ResponseEntity<String> passkeyPage(HttpServletRequest request, @RequestParam(name = "m", required = false) String m) {
    SignedIn s = signedIn(request);
    if (!service.recentlyReauthenticated(s.session(), s.user())) {
      return seeOther("/reauth?next=/enroll/passkey");
    }
    return Pages.passkey(ctx(request, m, Optional.of(s)));
  }

  private static String reauthNext(String next) {
    return Optional.ofNullable(next).filter(REAUTH_NEXT::contains).orElse("/account");
  }

  @GetMapping("/reauth")
  ResponseEntity<String> reauthPage(HttpServletRequest request, @RequestParam(name = "m", required = false) String m,
      @RequestParam(required = false) String next) {
    SignedIn s = signedIn(request);
    return Pages.reauth(ctx(request, m, Optional.of(s)), service, s, reauthNext(next), Optional.empty());
  }

  @PostMapping("/reauth")
  ResponseEntity<String> reauth(HttpServletRequest request, HttpServletResponse response,
      @RequestParam(required = false) String next, @RequestParam(required = false) String password,
      @RequestParam(required = false) String code) {
    SignedIn s = signedIn(request);
    String to = reauthNext(next);
    try {
      elevate(request, response, service.reauthenticate(s.user(), password, code, request.getRemoteAddr()));
      return seeOther(to + "?m=confirmed");
    } catch (UserError e) {
      return Pages.reauth(ctx(request, null, Optional.of(s)), service, s, to, Optional.of(e.getMessage()));
    }
  }

  @GetMapping("/stepup")
  ResponseEntity<String> stepUpPage(HttpServletRequest request) {
    SignedIn s = signedIn(request);
    return Pages.stepUp(ctx(request, null, Optional.of(s)), service, s);
  }

  @GetMapping("/notes")
  ResponseEntity<String> notes(HttpServletRequest request, @RequestParam(name = "m", required = false) String m) {
    SignedIn s = signedIn(request);
    return setUpFirst(s).orElseGet(() -> Pages.notes(ctx(request, m, Optional.of(s)), service, s, Optional.empty(), 200));
  }

  /** A notes action: its redirect, or the notes page with the message of its refusal. */
  @FunctionalInterface
  private interface NoteAction {
    String run(SignedIn s) throws UserError;
  }

  private ResponseEntity<String> noteAction(HttpServletRequest request, NoteAction action) {
    SignedIn s = signedIn(request);
    Optional<ResponseEntity<String>> first = setUpFirst(s);
    if (first.isPresent()) {
      return first.get();
    }
    try {
      return seeOther(action.run(s));
    } catch (RateLimited e) {
      ResponseEntity<String> page = Pages.notes(ctx(request, null, Optional.of(s)), service, s,
          Optional.of(e.getMessage()), e.status());
      HttpHeaders headers = new HttpHeaders();
      e.headers().forEach(headers::set);
      return ResponseEntity.status(page.getStatusCode()).headers(page.getHeaders()).headers(headers).body(page.getBody());
    } catch (UserError e) {
      return Pages.notes(ctx(request, null, Optional.of(s)), service, s, Optional.of(e.getMessage()), 400);
    }
  }

  @PostMapping("/notes")
  ResponseEntity<String> createNote(HttpServletRequest request, @RequestParam(required = false) String text) {
    return noteAction(request, s -> {
      service.createNote(s.user(), text);
      return "/notes?m=created";
    });
  }

  @PostMapping("/notes/delete")
  ResponseEntity<String> deleteNote(HttpServletRequest request, @RequestParam(required = false) String id) {
    return noteAction(request, s -> {
      service.deleteNote(s.user(), id);
      return "/notes?m=deleted";
    });
  }

  @PostMapping("/notes/restore")
  ResponseEntity<String> restoreNote(HttpServletRequest request, @RequestParam(required = false) String id) {
    return noteAction(request, s -> {
      service.restoreNote(s.user(), id);
      return "/notes?m=restored";
    });
  }

  @PostMapping("/notes/share")
  ResponseEntity<String> shareNote(HttpServletRequest request, @RequestParam(required = false) String id,
      @RequestParam(required = false) String username, @RequestParam(required = false) String role) {
    return noteAction(request, s -> {
      service.shareNote(s.user(), id, username, role);
      return "/notes?m=shared";
    });
  }

  @PostMapping("/notes/edit")
  ResponseEntity<String> editNote(HttpServletRequest request, @RequestParam(required = false) String id,
      @RequestParam(required = false) String text) {
    return noteAction(request, s -> {
      service.editNote(s.user(), id, text);
      return "/notes?m=edited";
    });
  }

  @GetMapping("/account")
  ResponseEntity<String> account(HttpServletRequest request, @RequestParam(name = "m", required = false) String m) {
    SignedIn s = signedIn(request);
    return setUpFirst(s).orElseGet(() -> Pages.account(ctx(request, m, Optional.of(s)), service, clock, s,
        Optional.empty(), 200));
  }

  private ResponseEntity<String> accountError(HttpServletRequest request, SignedIn s, UserError e) {
    return Pages.account(ctx(request, null, Optional.of(s)), service, clock, s, Optional.of(e.getMessage()), 400);
  }

  @PostMapping("/org/invite")
  ResponseEntity<String> invite(HttpServletRequest request, @RequestParam(required = false) String username) {
    SignedIn s = signedIn(request);
    Optional<ResponseEntity<String>> first = setUpFirst(s);
    if (first.isPresent()) {
      return first.get();
    }
    try {
      service.inviteToOrganization(s.user(), NotesService.homeOrganization(s.user().id()), username);
      return seeOther("/account?m=invited");
    } catch (UserError e) {
      return accountError(request, s, e);
    }
  }

  @PostMapping("/account/delete")
  ResponseEntity<String> deleteAccount(HttpServletRequest request, HttpServletResponse response,
      @RequestParam(required = false) String confirm) {
    SignedIn s = signedIn(request);
    Optional<ResponseEntity<String>> first = setUpFirst(s);
    if (first.isPresent()) {
      return first.get();
    }
    if (!s.user().username().equals(confirm)) {
      return accountError(request, s, new UserError("Type your username exactly to confirm the deletion."));
    }
    try {
      ErasureReport report = service.deleteAccount(s.session(), s.user());
      sessions.logout(request, response, null);
      return ctx(request, null, Optional.empty()).page(200, "Account deleted", "<h1>Account deleted</h1>"
          + Html.message(Optional.of(Pages.FLASH.get("gone")), Optional.empty())
          + "<div class=\"card\"><p>Deletion evidence: " + report.evidence().size() + " record(s); key receipt: <code>"
          + h(report.keyShredReceipt().orElse("none")) + "</code></p><p><a href=\"/\">Start page</a></p></div>");
    } catch (ReauthRequired e) {
      return seeOther("/reauth?next=/account");
    } catch (UserError e) {
      return accountError(request, s, e);
    }
  }

  @PostMapping("/account/password")
  ResponseEntity<String> changePassword(HttpServletRequest request, HttpServletResponse response,
      @RequestParam(required = false) String password, @RequestParam(required = false) String confirm) {
    SignedIn s = signedIn(request);
    Optional<ResponseEntity<String>> first = setUpFirst(s);
    if (first.isPresent()) {
      return first.get();
    }
    try {
      signIn(request, response, service.changePassword(s.session(), s.user(), password, confirm));
      return seeOther("/account?m=password");
    } catch (ReauthRequired e) {
      return seeOther("/reauth?next=/account");
    } catch (UserError e) {
      return accountError(request, s, e);
    }
  }

  @PostMapping("/account/passkeys/remove")
  ResponseEntity<String> removePasskey(HttpServletRequest request, @RequestParam(required = false) String id) {
    SignedIn s = signedIn(request);
    Optional<ResponseEntity<String>> first = setUpFirst(s);
    if (first.isPresent()) {
      return first.get();
    }
    try {
      service.removePasskey(s.session(), s.user(), id);
      return seeOther("/account?m=passkey-removed");
    } catch (ReauthRequired e) {
      return seeOther("/reauth?next=/account");
    } catch (UserError e) {
      return accountError(request, s, e);
    }
  }

  /** Spring Security let only the stepped-up admin through (role, AAL2 and a passkey in 15 minutes). */
  @GetMapping("/admin")
  ResponseEntity<String> admin(HttpServletRequest request, @RequestParam(name = "m", required = false) String m) {
    SignedIn s = signedIn(request);
    return setUpFirst(s).orElseGet(() -> Pages.admin(ctx(request, m, Optional.of(s)), service, s,
        Optional.ofNullable(m).map(Pages.FLASH::get)));
  }

  @PostMapping("/admin/purge")
  ResponseEntity<String> purge(HttpServletRequest request) {
    SignedIn s = signedIn(request);
    Optional<ResponseEntity<String>> first = setUpFirst(s);
    if (first.isPresent()) {
      return first.get();
    }
    PurgeScheduler.Outcome o = service.runPurgeNow(s.user());
    String info = o.report().map(p -> "Purge job ran: " + p.total() + " record(s) purged.")
        .orElseGet(() -> "Purge job refused or failed: " + o.error().map(Throwable::getMessage).orElse("unknown reason"));
    return Pages.admin(ctx(request, null, Optional.of(s)), service, s, Optional.of(info));
  }
}
