package dev.bulwark.spring.security;

import static dev.bulwark.spring.security.SecurityTestSupport.accounts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.authn.flow.LoginResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.SimpleUrlAuthenticationFailureHandler;

class LockoutFailureHandlerTest {

  private final LockoutFailureHandler handler =
      new LockoutFailureHandler(new SimpleUrlAuthenticationFailureHandler("/login?error"));

  private MockHttpServletResponse handle(AuthenticationException e) throws Exception {
    MockHttpServletResponse res = new MockHttpServletResponse();
    handler.onAuthenticationFailure(new MockHttpServletRequest("POST", "/login"), res, e);
    return res;
  }

  @Test
  void lockedLogin_is429WithRetryAfterRoundedUp_otherFailuresGoToTheLoginPageAlike() {
    SecurityTestSupport.runner().run(context -> {
      accounts(context, "correct horse battery");
      BulwarkAuthenticationProvider provider = context.getBean(BulwarkAuthenticationProvider.class);
      BulwarkAuthenticationException wrong = null;
      BulwarkAuthenticationException locked = null;
      BulwarkAuthenticationException unknown = null;
      for (int i = 0; i < 10 && locked == null; i++) {
        try {
          provider.authenticate(UsernamePasswordAuthenticationToken.unauthenticated("alice", "wrong password"));
        } catch (BulwarkAuthenticationException e) {
          if (e.outcome() == LoginResult.Outcome.LOCKED) {
            locked = e;
          } else {
            wrong = e;
          }
        }
      }
      try {
        provider.authenticate(UsernamePasswordAuthenticationToken.unauthenticated("nobody", "wrong password"));
      } catch (BulwarkAuthenticationException e) {
        unknown = e;
      }
      MockHttpServletResponse lockedResponse = handle(locked);
      assertThat(lockedResponse.getStatus()).isEqualTo(429);
      long seconds = Long.parseLong(lockedResponse.getHeader("Retry-After"));
      assertThat(Duration.ofSeconds(seconds)).isGreaterThanOrEqualTo(locked.retryAfter())
          .isLessThan(locked.retryAfter().plusSeconds(1));
      MockHttpServletResponse wrongResponse = handle(wrong);
      MockHttpServletResponse unknownResponse = handle(unknown);
      assertThat(wrongResponse.getRedirectedUrl()).isEqualTo("/login?error");
      assertThat(unknownResponse.getRedirectedUrl()).isEqualTo(wrongResponse.getRedirectedUrl());
      assertThat(wrongResponse.getHeader("Retry-After")).isNull();
    });
  }
}
