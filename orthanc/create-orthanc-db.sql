-- Orthanc keeps its index in its own database beside Lungbridge's (Compose only).
CREATE DATABASE orthanc OWNER lungbridge;
