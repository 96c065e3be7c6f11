import { useNavigate, useBlocker } from "@remix-run/react";
import { useAppBridge } from "@shopify/app-bridge-react";
import { useEffect, useRef } from "react";

/**
 * Leave-page protection for a form with unsaved changes: a link to another
 * page of the app waits for App Bridge's leave confirmation, and goes on only
 * if the merchant chooses to leave. (The admin's own navigation is guarded by
 * App Bridge itself while the save bar is shown.)
 */
export function useLeaveGuard(dirty: boolean) {
  const shopify = useAppBridge();
  const navigate = useNavigate();
  const leaving = useRef(false);
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      dirty && !leaving.current && currentLocation.pathname !== nextLocation.pathname,
  );

  useEffect(() => {
    if (blocker.state !== "blocked") return;
    const to = blocker.location;
    // Let the blocked navigation go, and make it again once the merchant chose to leave.
    blocker.reset();
    void shopify.saveBar.leaveConfirmation().then(() => {
      leaving.current = true;
      navigate(`${to.pathname}${to.search}${to.hash}`);
    });
  }, [blocker, navigate, shopify]);

  useEffect(() => {
    if (!dirty) leaving.current = false;
  }, [dirty]);
}
