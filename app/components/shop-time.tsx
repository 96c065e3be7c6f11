import { createContext, useContext } from "react";
import { formatShopTime, UTC } from "../models/time-zone";

/** The shop's time zone, provided by the admin's layout (app.tsx). */
export const ShopTimeZoneContext = createContext<string>(UTC);

/** A time in the shop's zone, the same text on the server and in the browser. */
export function useShopTime(): (iso: string | Date) => string {
  const timeZone = useContext(ShopTimeZoneContext);
  return (iso) => formatShopTime(iso, timeZone);
}

/** The shop's time zone itself (for day boundaries and labels). */
export function useShopTimeZone(): string {
  return useContext(ShopTimeZoneContext);
}
