package dev.bulwark.spring.autoconfigure;

import dev.bulwark.ratelimit.InMemoryRateLimitStore;
import dev.bulwark.ratelimit.Quota;
import dev.bulwark.ratelimit.RateLimitListener;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.jdbc.JdbcRateLimitStore;
import dev.bulwark.ratelimit.spi.RateLimitStore;
import dev.bulwark.spring.autoconfigure.internal.Secrets;
import dev.bulwark.spring.security.RateLimitFilter;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A fail-closed request rate limit ({@code bulwark.ratelimit.*}) when bulwark-ratelimit is on the
 * class path: a {@link RateLimiter} over the DataSource (shared by every node) or memory, and a
 * servlet filter in a servlet application.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
@ConditionalOnClass(RateLimiter.class)
@EnableConfigurationProperties(BulwarkRateLimitProperties.class)
public class BulwarkRateLimitAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  RateLimitStore bulwarkRateLimitStore(BulwarkRateLimitProperties props, ObjectProvider<DataSource> dataSource,
      ObjectProvider<Clock> clock) {
    DataSource ds = dataSource.getIfUnique();
    if (props.store() == StoreKind.FILE || (props.store() == StoreKind.JDBC && ds == null)) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, "bulwark.ratelimit.store",
          "auto or memory (jdbc needs a single DataSource bean; there is no file store)");
    }
    boolean jdbc = props.store() == StoreKind.JDBC || (props.store() == StoreKind.AUTO && ds != null);
    return jdbc ? JdbcRateLimitStore.create(ds) : InMemoryRateLimitStore.builder().clock(clock.getIfUnique(Clock::systemUTC)).maxKeys(100_000).build();
  }

  @Bean
  @ConditionalOnMissingBean
  RateLimiter bulwarkRateLimiter(BulwarkRateLimitProperties props, RateLimitStore store,
      ObjectProvider<RateLimitListener> listeners, ObjectProvider<Clock> clock) {
    Quota quota;
    try {
      quota = Quota.of("requests", props.requests(), props.period());
    } catch (IllegalArgumentException e) {
      throw Secrets.invalid("bulwark.ratelimit.requests",
          "a positive bulwark.ratelimit.requests and a positive bulwark.ratelimit.period (e.g. 600 per 1m)", e);
    }
    List<RateLimitListener> all = listeners.orderedStream().toList();
    return RateLimiter.builder("requests", store).quota(quota).clock(clock.getIfUnique(Clock::systemUTC))
        .listener(all.isEmpty() ? RateLimitListener.NONE : e -> all.forEach(l -> l.onEvent(e))).build();
  }

  /** The servlet filter, in a servlet application. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "jakarta.servlet.Filter")
  @ConditionalOnProperty(prefix = "bulwark.ratelimit", name = "filter", havingValue = "true", matchIfMissing = true)
  static class Servlet {
    @Bean
    @ConditionalOnMissingBean
    RateLimitFilter bulwarkRateLimitFilter(RateLimiter limiter) {
      return new RateLimitFilter(limiter);
    }
  }
}
