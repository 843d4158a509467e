package xportdnn.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void printsNestedValuesWithIndentInInsertionOrder() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("z", 1);
        inner.put("a", List.of());
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("name", "conv1");
        root.put("th", 148.765808105);
        root.put("whole", 2.0);
        root.put("tiny", 1e-6);
        root.put("float", 0.1f);
        root.put("ok", true);
        root.put("none", null);
        root.put("scalars", Arrays.asList(1, 2.5, null, "x"));
        root.put("objects", List.of(inner, Map.of()));
        assertEquals("""
                {
                  "name": "conv1",
                  "th": 148.765808105,
                  "whole": 2,
                  "tiny": 1.0E-6,
                  "float": 0.1,
                  "ok": true,
                  "none": null,
                  "scalars": [1, 2.5, null, "x"],
                  "objects": [
                    {
                      "z": 1,
                      "a": []
                    },
                    {}
                  ]
                }
                """, Json.print(root));
    }

    @Test
    void escapesStringsAndNullsNonFiniteNumbers() {
        assertEquals("\"a\\\"b\\\\c\\nd\\te\\u0001é\"\n", Json.print("a\"b\\c\nd\te\u0001é"));
        assertEquals("[null, null, null]\n",
                Json.print(List.of(Double.NaN, Double.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY)));
        assertThrows(IllegalArgumentException.class, () -> Json.print(new Object()));
        assertThrows(IllegalArgumentException.class, () -> Json.print(Map.of(1, 2)));
    }
}
