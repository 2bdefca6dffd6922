// The school's name, time zone and logo, from the server (kept offline like any answer).
import { get } from "./api.js";
import { setTimeZone } from "./i18n.js";

export const school = { name: "", time_zone: "", logo_url: null };

/** Loads what the school is called; the app shows "Schoolgate" until (or if never) known. */
export async function loadSchool() {
  const found = await get("/school").catch(() => null);
  if (found) {
    Object.assign(school, found);
    setTimeZone(found.time_zone);
  }
  return school;
}
