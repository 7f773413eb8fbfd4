package dev.bulwark.spring.security;

import dev.bulwark.ratelimit.RateLimitDecision;
import dev.bulwark.ratelimit.InvalidKeyException;
import dev.bulwark.ratelimit.RateLimitHeaders;
import dev.bulwark.ratelimit.RateLimitKey;
import dev.bulwark.ratelimit.RateLimiter;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import java.util.function.Function;

/**
 * A servlet filter that asks a Bulwark {@link RateLimiter} before every request. A refused request
 * gets {@code 429 Too Many Requests} with {@code Retry-After} in whole seconds rounded up and the
 * IETF {@code RateLimit-Policy}/{@code RateLimit} headers, and goes no further; an allowed one
 * carries the {@code RateLimit} headers. The limiter fails closed: a store outage refuses
 * requests (its failure policy decides). Keys default to the client address. Thread-safe.
 */
public final class RateLimitFilter implements Filter {

  private final RateLimiter limiter;
  private final Function<HttpServletRequest, RateLimitKey> key;

  /** Limits per client address. */
  public RateLimitFilter(RateLimiter limiter) {
    this(limiter, r -> RateLimitKey.builder().source(r.getRemoteAddr()).build());
  }

  /** Limits per the key {@code key} derives from each request. */
  public RateLimitFilter(RateLimiter limiter, Function<HttpServletRequest, RateLimitKey> key) {
    this.limiter = Objects.requireNonNull(limiter, "limiter");
    this.key = Objects.requireNonNull(key, "key");
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
      chain.doFilter(req, res);
      return;
    }
    RateLimitDecision decision;
    try {
      decision = limiter.acquire(key.apply(request));
    } catch (InvalidKeyException e) {
      response.sendError(HttpServletResponse.SC_BAD_REQUEST);
      return;
    }
    RateLimitHeaders.of(decision).forEach(response::setHeader);
    if (decision.denied()) {
      response.setStatus(429);
      response.setContentType("text/plain;charset=UTF-8");
      response.getWriter().write("Too many requests\n");
      return;
    }
    chain.doFilter(request, response);
  }
}
