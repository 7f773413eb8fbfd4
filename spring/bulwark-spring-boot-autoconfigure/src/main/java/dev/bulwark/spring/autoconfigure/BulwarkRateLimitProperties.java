package dev.bulwark.spring.autoconfigure;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code bulwark.ratelimit.*}: the request rate limit applied by a servlet filter to every request,
 * per client address. The limiter fails closed: when its store cannot be reached, requests are
 * refused.
 *
 * @param filter whether to install the servlet filter
 * @param requests how many requests a client may make per {@code period}
 * @param period the window of {@code requests} (e.g. 1m)
 * @param store AUTO (the DataSource if there is one, otherwise memory), MEMORY or JDBC
 */
@ConfigurationProperties(prefix = "bulwark.ratelimit", ignoreUnknownFields = false)
public record BulwarkRateLimitProperties(
    @DefaultValue("true") boolean filter,
    @DefaultValue("600") long requests,
    @DefaultValue("1m") Duration period,
    @DefaultValue("auto") StoreKind store) {}
