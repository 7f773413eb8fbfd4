package dev.bulwark.authn.totp.jdbc;

import dev.bulwark.authn.AuthnStoreException;
import dev.bulwark.authn.totp.TotpAlgorithm;
import dev.bulwark.authn.totp.TotpSettings;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/** The settings columns both TOTP tables share: algorithm, digits, period_seconds, drift_window. */
final class TotpRows {

  private TotpRows() {}

  /** Binds the four settings columns from {@code first} on. */
  static void bindSettings(PreparedStatement p, int first, TotpSettings s) throws SQLException {
    p.setString(first, s.algorithm().name());
    p.setInt(first + 1, s.digits());
    p.setInt(first + 2, (int) s.period().getSeconds());
    p.setInt(first + 3, s.window());
  }

  /** Reads the four settings columns from {@code first} on; a value out of range is a corrupt row. */
  static TotpSettings readSettings(ResultSet rs, int first) throws SQLException {
    try {
      return new TotpSettings(TotpAlgorithm.valueOf(rs.getString(first)), rs.getInt(first + 1),
          Duration.ofSeconds(rs.getInt(first + 2)), rs.getInt(first + 3));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new AuthnStoreException("corrupt TOTP settings in the database", e);
    }
  }

  /** Refuses an id the column cannot hold, before the database is asked. */
  static String id(String value, String what) {
    if (value == null || value.isEmpty() || value.length() > 255) {
      throw new IllegalArgumentException(what + " must be 1-255 characters");
    }
    return value;
  }
}
