package dev.bulwark.sso.jdbc;

import dev.bulwark.common.jdbc.Jdbc;
import dev.bulwark.common.jdbc.JdbcSchema;
import dev.bulwark.common.jdbc.Timestamps;
import dev.bulwark.sso.SsoStoreException;
import dev.bulwark.sso.spi.ReplayCache;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * A {@link ReplayCache} in PostgreSQL, shared by every node of a fleet: table
 * {@code bulwark_sso_replay} in the connection's current schema, made by the migrations in
 * {@code classpath:db/migration/bulwark-sso/} (applied on start under an advisory lock unless
 * built with {@code createSchema(false)}, which only checks the table, read-only). One
 * {@code INSERT ... ON CONFLICT} decides atomically which caller saw an ID first; an expired row is
 * taken over in the same statement. Expired rows are deleted opportunistically. A database failure
 * is an {@link SsoStoreException}, which refuses the sign-in. Thread-safe.
 */
public final class JdbcReplayCache implements ReplayCache {

  /** The module's migrations and the table this cache uses. */
  public static final JdbcSchema SCHEMA = JdbcSchema.builder("sso", JdbcReplayCache.class)
      .migrations("V1__tables.sql")
      .table("bulwark_sso_replay", "issuer text", "id text", "expires_at timestamptz")
      .build();

  private static final String USE = "INSERT INTO bulwark_sso_replay (issuer, id, expires_at) VALUES (?, ?, ?)"
      + " ON CONFLICT (issuer, id) DO UPDATE SET expires_at = EXCLUDED.expires_at"
      + " WHERE bulwark_sso_replay.expires_at <= ?";

  private static final String SWEEP = "DELETE FROM bulwark_sso_replay WHERE ctid IN"
      + " (SELECT ctid FROM bulwark_sso_replay WHERE expires_at <= ? LIMIT 100)";

  private final Jdbc jdbc;
  private final Clock clock;

  private JdbcReplayCache(Builder b) {
    this.jdbc = Jdbc.of(b.dataSource, SsoStoreException::new);
    this.clock = b.clock;
    SCHEMA.apply(b.dataSource, b.createSchema, SsoStoreException::new);
  }

  /**
   * A cache on the system clock that brings its table up to date on start.
   *
   * @throws SsoStoreException if the table cannot be made or read
   */
  public static JdbcReplayCache create(DataSource dataSource) {
    return builder(dataSource).build();
  }

  /** A builder: the clock and {@code createSchema} are optional. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /** Settings of a {@link JdbcReplayCache}. */
  public static final class Builder {
    private final DataSource dataSource;
    private Clock clock = Clock.systemUTC();
    private boolean createSchema = true;

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** The clock that decides when an entry has expired (default: the system clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Whether the cache applies the missing migrations on start (default true); with false it
     * runs no DDL and only checks, read-only, that the table exists with the expected columns.
     */
    public Builder createSchema(boolean createSchema) {
      this.createSchema = createSchema;
      return this;
    }

    /** @throws SsoStoreException if the table cannot be made or is not there */
    public JdbcReplayCache build() {
      return new JdbcReplayCache(this);
    }
  }

  @Override
  public boolean firstUse(String issuer, String id, Instant expiresAt) {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Instant now = clock.instant();
    return jdbc.run("replay cache bulwark_sso_replay", c -> {
      int inserted;
      try (PreparedStatement ps = c.prepareStatement(USE)) {
        ps.setString(1, issuer);
        ps.setString(2, id);
        Timestamps.set(ps, 3, expiresAt);
        Timestamps.set(ps, 4, now);
        inserted = ps.executeUpdate();
      }
      if (inserted == 1) {
        try (PreparedStatement ps = c.prepareStatement(SWEEP)) {
          Timestamps.set(ps, 1, now);
          ps.executeUpdate();
        }
      }
      return inserted == 1;
    });
  }

  @Override
  public String toString() {
    return "JdbcReplayCache[bulwark_sso_replay]";
  }
}
