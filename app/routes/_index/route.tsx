import type { LoaderFunctionArgs } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { login } from "../../shopify.server";
import styles from "./styles.module.css";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  // Shopify opens the app with ?shop=…; send the merchant straight into the admin.
  if (url.searchParams.get("shop")) {
    throw redirect(`/app?${url.searchParams.toString()}`);
  }
  return json({ showForm: Boolean(login) });
};

export default function Landing() {
  const { showForm } = useLoaderData<typeof loader>();
  return (
    <div className={styles.index}>
      <div className={styles.content}>
        <h1 className={styles.heading}>Brilliant Sync</h1>
        <p className={styles.text}>
          Every paid Shopify order forwarded to Brilliant, exactly once, with every answer kept and every held
          order explained.
        </p>
        {showForm && (
          <Form className={styles.form} method="post" action="/auth/login">
            <label className={styles.label}>
              <span>Shop domain</span>
              <input className={styles.input} type="text" name="shop" />
              <span>e.g: my-shop-domain.myshopify.com</span>
            </label>
            <button className={styles.button} type="submit">
              Log in
            </button>
          </Form>
        )}
        <ul className={styles.list}>
          <li>
            <strong>Exactly once</strong>. Shopify may deliver an order twice; Brilliant receives it once.
          </li>
          <li>
            <strong>Nothing silent</strong>. A held order always shows why and what to do next.
          </li>
          <li>
            <strong>Stock and inactive variants</strong>. Alerts before an order fails, not after.
          </li>
        </ul>
      </div>
    </div>
  );
}
