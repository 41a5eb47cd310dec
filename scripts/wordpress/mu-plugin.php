<?php
/**
 * Plugin Name: Crosspost test site
 * Description: Keeps the local test WordPress from sending mail (there is no mail server).
 */

add_filter('pre_wp_mail', '__return_false');
