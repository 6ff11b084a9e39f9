pub mod db;
pub mod demo;
pub mod frameworks;
pub mod qualify;
