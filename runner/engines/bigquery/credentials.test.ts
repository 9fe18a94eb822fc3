import { describe, expect, it } from "vitest";
import { BadInputError } from "../../errors.ts";
import { requireCredentials } from "./credentials.ts";

/** A file system of the given files only. */
const files = (contents: Record<string, string>) => (file: string) => contents[file];

describe("requireCredentials (offline ADC lookup)", () => {
  it("accepts a readable JSON key file named by GOOGLE_APPLICATION_CREDENTIALS", () => {
    expect(requireCredentials({ GOOGLE_APPLICATION_CREDENTIALS: "/k.json" }, files({ "/k.json": "{}" }))).toBe("key_file");
  });

  it("refuses a key file that is missing or not JSON, naming it, exit 2", () => {
    expect(() => requireCredentials({ GOOGLE_APPLICATION_CREDENTIALS: "/gone.json", HOME: "/h" }, files({}))).toThrow(/\/gone\.json, which cannot be read/);
    expect(() => requireCredentials({ GOOGLE_APPLICATION_CREDENTIALS: "/k.json" }, files({ "/k.json": "not json" }))).toThrow(/\/k\.json \(GOOGLE_APPLICATION_CREDENTIALS\): not JSON/);
  });

  it("finds gcloud's file under CLOUDSDK_CONFIG or ~/.config/gcloud", () => {
    expect(requireCredentials({ CLOUDSDK_CONFIG: "/c" }, files({ "/c/application_default_credentials.json": "{}" }))).toBe("gcloud");
    expect(requireCredentials({ HOME: "/h" }, files({ "/h/.config/gcloud/application_default_credentials.json": "{}" }))).toBe("gcloud");
  });

  it("trusts the metadata server only on Google Cloud", () => {
    expect(requireCredentials({ HOME: "/h", K_SERVICE: "runner" }, files({}))).toBe("metadata_server");
    expect(requireCredentials({ HOME: "/h" }, files({ "/sys/class/dmi/id/product_name": "Google Compute Engine\n" }))).toBe("metadata_server");
  });

  it("otherwise is bad input with the ADC hint", () => {
    let caught: unknown;
    try {
      requireCredentials({ HOME: "/h" }, files({}));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BadInputError);
    expect((caught as BadInputError).exitCode).toBe(2);
    expect((caught as BadInputError).suggestion).toContain("gcloud auth application-default login");
  });
});
