package dev.bulwark.ratelimit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The HTTP response fields for a {@link RateLimitDecision}: {@code Retry-After} (RFC 9110, delay-seconds)
 * on a denial, and the IETF {@code RateLimit-Policy} and {@code RateLimit} fields
 * (draft-ietf-httpapi-ratelimit-headers, Structured Field lists):
 *
 * <pre>
 * RateLimit-Policy: "minute";q=5;w=60;bulwark-burst=3, "day";q=50;w=86400
 * RateLimit: "minute";r=0;t=12, "day";r=41;t=1729
 * </pre>
 *
 * <p>{@code q} is the quota's limit per window {@code w} (seconds, rounded up); when the burst
 * differs from the limit it is given as the vendor parameter {@code bulwark-burst}. {@code r} is
 * the units that could be taken now, {@code t} the seconds (rounded up) until one more becomes
 * available. No partition key ({@code pk}) is sent: the key holds principals and addresses.
 * A decision made without the store carries only {@code Retry-After} (a denial) or nothing.
 *
 * @param retryAfter the {@code Retry-After} value, present on denials
 * @param rateLimitPolicy the {@code RateLimit-Policy} value, empty without quota states
 * @param rateLimit the {@code RateLimit} value, empty without quota states
 */
public record RateLimitHeaders(Optional<String> retryAfter, Optional<String> rateLimitPolicy, Optional<String> rateLimit) {

  public RateLimitHeaders {
    Objects.requireNonNull(retryAfter, "retryAfter");
    Objects.requireNonNull(rateLimitPolicy, "rateLimitPolicy");
    Objects.requireNonNull(rateLimit, "rateLimit");
  }

  /** The fields for {@code decision}. */
  public static RateLimitHeaders of(RateLimitDecision decision) {
    Objects.requireNonNull(decision, "decision");
    Optional<String> retry = decision.allowed()
        ? Optional.empty()
        : Optional.of(Long.toString(Math.max(1, ceilSeconds(decision.retryAfter()))));
    List<QuotaState> states = decision.quotas();
    if (states.isEmpty()) {
      return new RateLimitHeaders(retry, Optional.empty(), Optional.empty());
    }
    StringBuilder policy = new StringBuilder();
    StringBuilder limit = new StringBuilder();
    for (QuotaState s : states) {
      Quota q = s.quota();
      if (policy.length() > 0) {
        policy.append(", ");
        limit.append(", ");
      }
      policy.append('"').append(q.name()).append("\";q=").append(q.limit()).append(";w=")
          .append(Math.max(1, ceilSeconds(q.period())));
      if (q.burst() != q.limit()) {
        policy.append(";bulwark-burst=").append(q.burst());
      }
      limit.append('"').append(q.name()).append("\";r=").append(s.remaining()).append(";t=")
          .append(ceilSeconds(s.nextUnitAfter()));
    }
    return new RateLimitHeaders(retry, Optional.of(policy.toString()), Optional.of(limit.toString()));
  }

  /** Sets each present field with {@code setHeader(name, value)} (e.g. {@code response::setHeader}). */
  public void forEach(BiConsumer<String, String> setHeader) {
    asMap().forEach(setHeader);
  }

  /** The present fields by name, in the order {@code Retry-After}, {@code RateLimit-Policy}, {@code RateLimit}. */
  public Map<String, String> asMap() {
    Map<String, String> m = new LinkedHashMap<>();
    retryAfter.ifPresent(v -> m.put("Retry-After", v));
    rateLimitPolicy.ifPresent(v -> m.put("RateLimit-Policy", v));
    rateLimit.ifPresent(v -> m.put("RateLimit", v));
    return m;
  }

  private static long ceilSeconds(Duration d) {
    long s = d.getSeconds();
    return d.getNano() > 0 ? s + 1 : s;
  }
}
