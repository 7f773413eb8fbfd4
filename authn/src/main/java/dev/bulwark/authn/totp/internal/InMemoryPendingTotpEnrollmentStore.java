package dev.bulwark.authn.totp.internal;

import dev.bulwark.authn.totp.PendingTotpEnrollment;
import dev.bulwark.authn.totp.spi.PendingTotpEnrollmentStore;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link PendingTotpEnrollmentStore} in a {@link ConcurrentHashMap} keyed by account (one entry per
 * account, so its size is bounded by the number of accounts); every change is one atomic
 * {@code compute} on the account's entry. Expired entries are dropped when touched and by
 * {@link #purgeExpired}.
 */
public final class InMemoryPendingTotpEnrollmentStore implements PendingTotpEnrollmentStore {

  private final ConcurrentHashMap<String, PendingTotpEnrollment> byAccount = new ConcurrentHashMap<>();

  @Override
  public void save(PendingTotpEnrollment enrollment) {
    Objects.requireNonNull(enrollment, "enrollment");
    byAccount.put(enrollment.accountId(), enrollment);
  }

  @Override
  public Optional<PendingTotpEnrollment> find(String accountId, Instant now) {
    Objects.requireNonNull(accountId, "accountId");
    Objects.requireNonNull(now, "now");
    PendingTotpEnrollment p = byAccount.get(accountId);
    return p != null && p.isLiveAt(now) ? Optional.of(p) : Optional.empty();
  }

  @Override
  public Optional<PendingTotpEnrollment> reserveAttempt(String accountId, Instant now, int maxAttempts) {
    Objects.requireNonNull(accountId, "accountId");
    Objects.requireNonNull(now, "now");
    PendingTotpEnrollment[] reserved = {null};
    byAccount.computeIfPresent(accountId, (a, p) -> {
      if (!p.isLiveAt(now)) {
        return null;
      }
      if (p.attempts() >= maxAttempts) {
        return p;
      }
      reserved[0] = p.withAttempts(p.attempts() + 1);
      return reserved[0];
    });
    return Optional.ofNullable(reserved[0]);
  }

  @Override
  public boolean complete(String accountId, String credentialId, Instant now) {
    Objects.requireNonNull(accountId, "accountId");
    Objects.requireNonNull(credentialId, "credentialId");
    Objects.requireNonNull(now, "now");
    boolean[] done = {false};
    byAccount.computeIfPresent(accountId, (a, p) -> {
      if (!p.isLiveAt(now)) {
        return null;
      }
      if (!p.credentialId().equals(credentialId)) {
        return p;
      }
      done[0] = true;
      return null;
    });
    return done[0];
  }

  @Override
  public boolean delete(String accountId) {
    return byAccount.remove(Objects.requireNonNull(accountId, "accountId")) != null;
  }

  @Override
  public int purgeExpired(Instant now) {
    Objects.requireNonNull(now, "now");
    int[] removed = {0};
    for (String account : byAccount.keySet()) {
      byAccount.computeIfPresent(account, (a, p) -> {
        if (p.isLiveAt(now)) {
          return p;
        }
        removed[0]++;
        return null;
      });
    }
    return removed[0];
  }

  @Override
  public String toString() {
    return "InMemoryPendingTotpEnrollmentStore[" + byAccount.size() + " pending]";
  }
}
