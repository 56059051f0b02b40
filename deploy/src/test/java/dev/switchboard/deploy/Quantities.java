package dev.switchboard.deploy;

import java.math.BigDecimal;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.Quantity;

/** Kubernetes quantities ("512Mi", "250m", 2) as numbers. */
final class Quantities {
    private Quantities() {
    }

    static BigDecimal of(JsonNode quantity) {
        return Quantity.getAmountInBytes(new Quantity(quantity.asText()));
    }
}
