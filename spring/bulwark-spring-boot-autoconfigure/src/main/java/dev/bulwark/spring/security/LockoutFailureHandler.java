package dev.bulwark.spring.security;

import dev.bulwark.authn.flow.LoginResult;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;

/**
 * A login failure handler that answers a Bulwark lockout with {@code 429 Too Many Requests} and a
 * {@code Retry-After} header in whole seconds, rounded up ({@link RetryAfter}); a lockout only an
 * administrator can lift gets 429 without the header. Every other failure goes to
 * {@code otherwise} (for example a {@code SimpleUrlAuthenticationFailureHandler("/login?error")}),
 * so a wrong password and an unknown account still look the same.
 */
public final class LockoutFailureHandler implements AuthenticationFailureHandler {

  private final AuthenticationFailureHandler otherwise;

  public LockoutFailureHandler(AuthenticationFailureHandler otherwise) {
    this.otherwise = Objects.requireNonNull(otherwise, "otherwise");
  }

  @Override
  public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response,
      AuthenticationException exception) throws IOException, ServletException {
    if (exception instanceof BulwarkAuthenticationException b && b.outcome() == LoginResult.Outcome.LOCKED) {
      RetryAfter.headerValue(b.retryAfter()).ifPresent(v -> response.setHeader("Retry-After", v));
      response.setStatus(429);
      response.setContentType("text/plain;charset=UTF-8");
      response.getWriter().write("Too many attempts; try again later\n");
      return;
    }
    otherwise.onAuthenticationFailure(request, response, exception);
  }
}
