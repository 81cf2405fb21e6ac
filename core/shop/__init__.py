"""A round trip with a shop: Shopify and Magento 2 product exports in, the same layout back out (no Qt)."""
