package dev.bulwark.ratelimit.spi;

/**
 * The store's table or data does not have the shape this version expects (a column missing or of
 * another type, a table that could neither be created nor read). Thrown when the store is built,
 * so a deployment against the wrong schema fails at start-up rather than admitting requests.
 */
public class StoreSchemaException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  public StoreSchemaException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreSchemaException(String message) {
    super(message);
  }
}
