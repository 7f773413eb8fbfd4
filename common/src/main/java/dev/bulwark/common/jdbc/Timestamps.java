package dev.bulwark.common.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * How every Bulwark table stores time: PostgreSQL {@code timestamptz}, microsecond precision, UTC
 * on the wire. One type, so an operator reading any Bulwark table sees dates, an index on a time
 * column serves range queries, and no store depends on the JVM's or the session's time zone.
 *
 * <p>An {@link Instant} with nanoseconds is {@linkplain #truncate truncated} to microseconds on
 * the way in, the same way on every path, so a value read back equals the truncated value written.
 */
public final class Timestamps {

  private Timestamps() {}

  /** {@code t} truncated to the microsecond, the precision of {@code timestamptz}. */
  public static Instant truncate(Instant t) {
    return t.truncatedTo(ChronoUnit.MICROS);
  }

  /** Binds {@code t} (or SQL NULL when {@code t} is null) as a {@code timestamptz}. */
  public static void set(PreparedStatement ps, int index, Instant t) throws SQLException {
    if (t == null) {
      ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      ps.setObject(index, OffsetDateTime.ofInstant(truncate(t), ZoneOffset.UTC));
    }
  }

  /** Reads a {@code timestamptz} column; null for SQL NULL. */
  public static Instant get(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  /** Reads a {@code timestamptz} column by position; null for SQL NULL. */
  public static Instant get(ResultSet rs, int column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }
}
