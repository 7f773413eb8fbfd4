package dev.bulwark.samples.notes;

import dev.bulwark.authn.session.Session;
import dev.bulwark.spring.security.BulwarkAuthentication;
import dev.bulwark.spring.security.BulwarkSecurityContextRepository;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import org.springframework.security.core.context.SecurityContextHolder;

/** A signed-in request: authn's session (from the starter's security context repository) and the user. */
record SignedIn(Session session, AppStore.User user) {

  @Override
  public String toString() {
    return "SignedIn[" + user + ", session " + session.id() + "]";
  }

  /** Finds the signed-in user of a request, once per request. */
  static final class Resolver {
    private static final String ATTRIBUTE = SignedIn.class.getName();
    private static final SignedIn NONE = new SignedIn(null, null);

    private final BulwarkSecurityContextRepository repository;
    private final NotesService service;

    Resolver(BulwarkSecurityContextRepository repository, NotesService service) {
      this.repository = repository;
      this.service = service;
    }

    /** The request's session and user, loading the security context if it was not yet. */
    Optional<SignedIn> of(HttpServletRequest request) {
      if (request.getAttribute(ATTRIBUTE) instanceof SignedIn cached) {
        return cached == NONE ? Optional.empty() : Optional.of(cached);
      }
      Optional<SignedIn> found = Optional.empty();
      if (SecurityContextHolder.getContext().getAuthentication() instanceof BulwarkAuthentication) {
        found = repository.session(request)
            .flatMap(s -> service.user(s.userId()).map(u -> new SignedIn(s, u)));
      }
      request.setAttribute(ATTRIBUTE, found.orElse(NONE));
      return found;
    }

    /** Forgets what was found (after the session changed within the request). */
    void forget(HttpServletRequest request) {
      request.removeAttribute(ATTRIBUTE);
    }
  }
}
