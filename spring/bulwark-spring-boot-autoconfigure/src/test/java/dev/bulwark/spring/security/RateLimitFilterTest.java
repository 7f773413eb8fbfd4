package dev.bulwark.spring.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.spring.autoconfigure.BulwarkConfigurationException;
import dev.bulwark.spring.autoconfigure.BulwarkRateLimitAutoConfiguration;
import dev.bulwark.testing.FakeClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class RateLimitFilterTest {

  @Configuration(proxyBeanMethods = false)
  static class Clocked {
    final FakeClock clock = FakeClock.atDefaultEpoch();

    @Bean
    FakeClock clock() {
      return clock;
    }
  }

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(BulwarkRateLimitAutoConfiguration.class))
      .withUserConfiguration(Clocked.class);

  private static MockHttpServletResponse get(RateLimitFilter filter, String ip, AtomicInteger reached) throws Exception {
    MockHttpServletRequest req = new MockHttpServletRequest("GET", "/notes");
    req.setRemoteAddr(ip);
    MockHttpServletResponse res = new MockHttpServletResponse();
    filter.doFilter(req, res, new MockFilterChain(new jakarta.servlet.http.HttpServlet() {
      private static final long serialVersionUID = 1L;

      @Override
      protected void service(jakarta.servlet.http.HttpServletRequest q, jakarta.servlet.http.HttpServletResponse s) {
        reached.incrementAndGet();
      }
    }));
    return res;
  }

  @Test
  void overTheLimit_is429WithRetryAfterRoundedUp_andNeverReachesTheApplication() {
    runner.withPropertyValues("bulwark.ratelimit.requests=3", "bulwark.ratelimit.period=10s").run(context -> {
      RateLimitFilter filter = context.getBean(RateLimitFilter.class);
      AtomicInteger reached = new AtomicInteger();
      for (int i = 0; i < 3; i++) {
        MockHttpServletResponse ok = get(filter, "198.51.100.7", reached);
        assertThat(ok.getStatus()).isEqualTo(200);
        assertThat(ok.getHeader("RateLimit")).isNotNull();
      }
      MockHttpServletResponse refused = get(filter, "198.51.100.7", reached);
      assertThat(refused.getStatus()).isEqualTo(429);
      assertThat(reached.get()).isEqualTo(3);
      long retry = Long.parseLong(refused.getHeader("Retry-After"));
      // One request every 10s/3 = 3.33 s: the wait is rounded up, never down.
      assertThat(retry).isEqualTo(4);
      // Another client is not affected.
      assertThat(get(filter, "198.51.100.8", reached).getStatus()).isEqualTo(200);
      // After Retry-After seconds the same client gets through.
      context.getBean(Clocked.class).clock.advance(Duration.ofSeconds(retry));
      assertThat(get(filter, "198.51.100.7", reached).getStatus()).isEqualTo(200);
    });
  }

  @Test
  void filterCanBeSwitchedOff_andIsAbsentWithoutServlet() {
    runner.withPropertyValues("bulwark.ratelimit.filter=false")
        .run(context -> assertThat(context).doesNotHaveBean(RateLimitFilter.class)
            .hasSingleBean(dev.bulwark.ratelimit.RateLimiter.class));
    runner.withClassLoader(new FilteredClassLoader("jakarta.servlet"))
        .run(context -> assertThat(context).doesNotHaveBean(RateLimitFilter.class));
  }

  @Test
  void zeroRequests_failsStartUpNamingTheProperty() {
    runner.withPropertyValues("bulwark.ratelimit.requests=0").run(context -> {
      Throwable t = context.getStartupFailure();
      while (t != null && !(t instanceof BulwarkConfigurationException)) {
        t = t.getCause();
      }
      assertThat(t).isInstanceOf(BulwarkConfigurationException.class);
      assertThat(((BulwarkConfigurationException) t).property()).isEqualTo("bulwark.ratelimit.requests");
    });
  }
}
