DROP TABLE campaign_steps;
DROP TABLE campaigns;
