package dev.bulwark.lifecycle;

/**
 * Who does something and why: every soft delete, restore, hold, policy change, override and
 * purge carries one, and it ends up in the evidence the host writes to its audit log.
 *
 * @param actor the person or service acting (1-256 printable characters)
 * @param reason why (1-1000 printable characters), such as a ticket number or "user request"
 */
public record Attribution(String actor, String reason) {

  public Attribution {
    Text.require(actor, "actor", 256);
    Text.require(reason, "reason", 1000);
  }

  public static Attribution of(String actor, String reason) {
    return new Attribution(actor, reason);
  }
}
