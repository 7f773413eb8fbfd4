package dev.bulwark.spring.actuate;

import dev.bulwark.crypto.KeyState;
import dev.bulwark.crypto.KeyVersion;
import dev.bulwark.crypto.Keyring;
import dev.bulwark.crypto.Keyrings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * UP when the keyring store answers and every keyring's primary key is younger than the rotation
 * age; the configured status (DOWN or OUT_OF_SERVICE) naming the overdue keyrings when one is not;
 * DOWN when the store cannot be read. Never shows key material: only ids, versions and ages.
 */
public final class KeyringHealthIndicator implements HealthIndicator {

  private final Keyrings keyrings;
  private final Duration rotationMaxAge;
  private final Status overdueStatus;
  private final Clock clock;

  public KeyringHealthIndicator(Keyrings keyrings, Duration rotationMaxAge, Status overdueStatus, Clock clock) {
    this.keyrings = Objects.requireNonNull(keyrings, "keyrings");
    this.rotationMaxAge = Objects.requireNonNull(rotationMaxAge, "rotationMaxAge");
    this.overdueStatus = Objects.requireNonNull(overdueStatus, "overdueStatus");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Health health() {
    List<String> overdue = new ArrayList<>();
    int count = 0;
    try {
      Instant now = clock.instant();
      for (String id : keyrings.keyringIds()) {
        Optional<Keyring> ring = keyrings.existing(id);
        if (ring.isEmpty() || ring.get().shreddedAt().isPresent()) {
          continue;
        }
        count++;
        for (KeyVersion v : ring.get().versions()) {
          if (v.state() == KeyState.PRIMARY && !now.isBefore(v.createdAt().plus(rotationMaxAge))) {
            overdue.add(id);
          }
        }
      }
    } catch (Exception e) {
      return Health.down().withDetail("error", "keyring store unreachable: " + e.getClass().getSimpleName()).build();
    }
    Health.Builder b = overdue.isEmpty() ? Health.up() : Health.status(overdueStatus);
    b.withDetail("keyrings", count).withDetail("rotationMaxAge", rotationMaxAge.toString());
    if (!overdue.isEmpty()) {
      b.withDetail("rotationOverdue", overdue);
    }
    return b.build();
  }
}
