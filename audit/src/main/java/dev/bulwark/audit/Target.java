package dev.bulwark.audit;

import dev.bulwark.audit.internal.Text;
import java.util.Objects;

/**
 * What the action was applied to.
 *
 * @param type kind of resource ({@code account}, {@code invoice}); at most 64 chars
 * @param id identifier of the resource; at most 256 chars
 */
public record Target(String type, String id) {

  public Target {
    type = Text.clean(Objects.requireNonNull(type, "type"), 64);
    id = Text.clean(Objects.requireNonNull(id, "id"), 256);
  }
}
