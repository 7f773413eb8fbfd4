package dev.bulwark.samples.notes;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code notes.*}: the sample's own settings (Bulwark's are {@code bulwark.*}, the server's
 * {@code server.*}, the database's {@code spring.datasource.*}). Unknown keys stop start-up.
 *
 * @param dataDir the data directory: demo secrets, keyring file, audit log and anchor
 * @param demoSecrets create the Bulwark secrets that are not set (master key, pepper, chain key,
 *     checkpoint key) once in {@code DATA/secrets.properties} (owner-only) and read them from there;
 *     {@code false} in a deployment, where they come from a secret store or the environment
 * @param postgres the migration role of the {@code postgres} profile
 */
@ConfigurationProperties(prefix = "notes", ignoreUnknownFields = false)
record NotesProperties(
    @DefaultValue("bulwark-notes-data") Path dataDir,
    @DefaultValue("true") boolean demoSecrets,
    @DefaultValue Postgres postgres) {

  /**
   * @param owner the role that owns the sample's tables and runs the migration at start;
   *     {@code none}: the deployment ran it, the app only verifies
   * @param ownerPassword its password, when the server asks for one (from the environment:
   *     {@code BULWARK_NOTES_PG_OWNER_PASSWORD})
   */
  record Postgres(@DefaultValue("postgres") String owner, String ownerPassword) {
    @Override
    public String toString() {
      return "Postgres[owner=" + owner + ", ownerPassword=" + (ownerPassword == null || ownerPassword.isEmpty()
          ? "unset" : "(redacted)") + "]";
    }
  }
}
