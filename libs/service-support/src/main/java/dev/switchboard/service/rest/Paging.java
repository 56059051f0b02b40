package dev.switchboard.service.rest;

import java.util.List;

/** Query parameters of paged lists, parsed here rather than by JAX-RS (which answers a non-number with 404). */
public final class Paging {
    public static final int MAX_LIMIT = 100;

    private Paging() {
    }

    /** {@code value} as a page size from 1 to 100, {@code defaultLimit} when absent; 400 otherwise. */
    public static int limit(String value, int defaultLimit) {
        if (value == null || value.isBlank()) {
            return defaultLimit;
        }
        try {
            int limit = Integer.parseInt(value.strip());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ProblemException.badRequest("limit must be between 1 and " + MAX_LIMIT,
                List.of(new Problem.FieldError("limit", "must be between 1 and " + MAX_LIMIT)));
    }
}
